package io.meshwork.proxy.outlier;

import java.time.Duration;

/**
 * A cluster's outlier detection, compiled from Istio OutlierDetection with Istio's and Envoy's defaults.
 *
 * @param consecutive5xx 5xx responses in a row that eject an endpoint; 0 turns the check off (default 5)
 * @param consecutiveGateway 502/503/504 responses in a row that eject; 0 turns it off (the default)
 * @param interval Envoy's sweep interval: an ejection multiplier drops by one per interval in (default 10 s)
 * @param baseEjection the first ejection's length; the n-th lasts n times as long (default 30 s)
 * @param maxEjection the cap on an ejection's length (Envoy's max_ejection_time, 300 s)
 * @param maxEjectionPercent at most this share of the cluster is ejected, but always one endpoint (default 10)
 * @param minHealthPercent below this share of healthy endpoints the cluster balances over all of them
 *     (Istio maps it to Envoy's healthy panic threshold; default 0: never)
 * @param splitLocalOrigin Istio's splitExternalLocalOriginErrors: connect failures, resets and timeouts
 *     count toward {@code consecutiveLocalOrigin} only, not as 5xx (default false)
 * @param consecutiveLocalOrigin local-origin failures in a row that eject when split (default 5; 0: off)
 * @param failurePercentage Envoy's failure-percentage detection, or null (a Meshwork annotation turns it on)
 * @param successRate Envoy's success-rate detection, or null (a Meshwork annotation turns it on)
 */
public record OutlierPolicy(int consecutive5xx, int consecutiveGateway, Duration interval, Duration baseEjection,
    Duration maxEjection, int maxEjectionPercent, int minHealthPercent, boolean splitLocalOrigin,
    int consecutiveLocalOrigin, FailurePercentage failurePercentage, SuccessRate successRate) {
  public static final Duration MAX_EJECTION = Duration.ofSeconds(300);

  /**
   * Ejects, at each interval, the endpoints whose failures in the interval reached {@code threshold} percent, once
   * at least {@code minimumHosts} endpoints each served {@code requestVolume} requests in it (Envoy's
   * failure_percentage_* fields).
   */
  public record FailurePercentage(int threshold, int minimumHosts, int requestVolume) {
    public FailurePercentage {
      percent("failure-percentage-threshold", threshold);
      atLeast("failure-percentage-minimum-hosts", minimumHosts, 1);
      atLeast("failure-percentage-request-volume", requestVolume, 1);
    }
  }

  /**
   * Ejects, at each interval, the endpoints whose success rate is below the mean less {@code stdevFactor} standard
   * deviations of the rates of the endpoints that served at least {@code requestVolume} requests, once there are
   * {@code minimumHosts} of them (Envoy's success_rate_* fields; Envoy's factor 1900 is 1.9 here).
   */
  public record SuccessRate(double stdevFactor, int minimumHosts, int requestVolume) {
    public SuccessRate {
      if (!(stdevFactor > 0) || Double.isInfinite(stdevFactor)) {
        throw new IllegalArgumentException("success-rate-stdev-factor: " + stdevFactor + " (expected: > 0, e.g. 1.9)");
      }
      atLeast("success-rate-minimum-hosts", minimumHosts, 1);
      atLeast("success-rate-request-volume", requestVolume, 1);
    }
  }

  /** Istio's fields only: no local-origin split, no interval-based detection. */
  public OutlierPolicy(int consecutive5xx, int consecutiveGateway, Duration interval, Duration baseEjection,
      Duration maxEjection, int maxEjectionPercent, int minHealthPercent) {
    this(consecutive5xx, consecutiveGateway, interval, baseEjection, maxEjection, maxEjectionPercent, minHealthPercent,
        false, 5, null, null);
  }

  /** Whether detection runs at each interval over the endpoints' request counts. */
  public boolean sweeps() {
    return failurePercentage != null || successRate != null;
  }

  public OutlierPolicy {
    if (consecutiveLocalOrigin < 0) {
      throw new IllegalArgumentException("consecutiveLocalOriginFailures: " + consecutiveLocalOrigin
          + " (expected: >= 0)");
    }
    if (consecutive5xx < 0) {
      throw new IllegalArgumentException("consecutive5xxErrors: " + consecutive5xx + " (expected: >= 0)");
    }
    if (consecutiveGateway < 0) {
      throw new IllegalArgumentException("consecutiveGatewayErrors: " + consecutiveGateway + " (expected: >= 0)");
    }
    positive("interval", interval);
    positive("baseEjectionTime", baseEjection);
    positive("maxEjectionTime", maxEjection);
    percent("maxEjectionPercent", maxEjectionPercent);
    percent("minHealthPercent", minHealthPercent);
  }

  private static void positive(String field, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(field + ": " + d + " (expected: > 0)");
    }
  }

  private static void atLeast(String field, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: >= " + min + ")");
    }
  }

  private static void percent(String field, int value) {
    if (value < 0 || value > 100) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: 0..100)");
    }
  }
}
