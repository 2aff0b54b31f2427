package io.meshwork.proxy.retry;

/**
 * A cluster's retry budget (Istio {@code trafficPolicy.retryBudget}, Envoy's circuit-breaker
 * {@code retry_budget}): the retries outstanding at once are bounded by a share of the requests
 * active and pending, never below a floor, so retries cannot multiply the load of an outage. When
 * set it takes the place of {@code maxRetries}, as in Envoy.
 *
 * @param percent the share of active and pending requests that may be retries, 0..100
 * @param minRetryConcurrency retries allowed at once whatever the load
 */
public record RetryBudget(double percent, int minRetryConcurrency) {
  /** Istio's defaults: 20 %, at least 3. */
  public static final double DEFAULT_PERCENT = 20;
  public static final int DEFAULT_MIN_RETRY_CONCURRENCY = 3;

  public RetryBudget {
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException("retryBudget.percent: " + percent + " (expected: 0..100)");
    }
    if (minRetryConcurrency < 0) {
      throw new IllegalArgumentException(
          "retryBudget.minRetryConcurrency: " + minRetryConcurrency + " (expected: >= 0)");
    }
  }

  /** The retries allowed outstanding while {@code requests} are active or pending (retries among them). */
  public int allowedRetries(int requests) {
    return Math.max(minRetryConcurrency, (int) (percent / 100 * requests));
  }
}
