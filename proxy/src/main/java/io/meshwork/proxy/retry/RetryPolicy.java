package io.meshwork.proxy.retry;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.Set;

/**
 * When and how often a request is tried again (Istio HTTPRetry, Envoy x-envoy-retry-on semantics).
 *
 * @param attempts retries after the first try; 0 disables retries
 * @param perTryTimeout bound on one attempt, {@link Duration#ZERO} for none
 * @param retryOn conditions that make a failed attempt retriable
 * @param retriableStatusCodes statuses retried under {@link RetryOn#RETRIABLE_STATUS_CODES}
 * @param baseInterval first backoff interval; later ones double up to {@code maxInterval}, with full jitter
 * @param maxInterval the largest backoff interval
 */
public record RetryPolicy(
    int attempts,
    Duration perTryTimeout,
    Set<RetryOn> retryOn,
    Set<Integer> retriableStatusCodes,
    Duration baseInterval,
    Duration maxInterval) {

  /** Envoy's default backoff: 25 ms base, ten times that at most. */
  public static final Duration DEFAULT_BASE_INTERVAL = Duration.ofMillis(25);

  public static final RetryPolicy NONE =
      new RetryPolicy(0, Duration.ZERO, Set.of(), Set.of(), DEFAULT_BASE_INTERVAL, DEFAULT_BASE_INTERVAL.multipliedBy(10));

  public RetryPolicy {
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts: " + attempts + " (expected: >= 0)");
    }
    retryOn = Set.copyOf(retryOn);
    retriableStatusCodes = Set.copyOf(retriableStatusCodes);
  }

  /** Whether a complete upstream response with this status (and gRPC status, or -1) may be retried. */
  public boolean retriableResponse(int httpStatus, int grpcStatus) {
    return retriableResponse(httpStatus, grpcStatus, EmptyHttpHeaders.INSTANCE, EmptyHttpHeaders.INSTANCE);
  }

  /**
   * Whether a complete upstream response may be retried, its headers and the request's read by
   * {@code retriable-headers} and {@code envoy-ratelimited}.
   */
  public boolean retriableResponse(int httpStatus, int grpcStatus, HttpHeaders response, HttpHeaders request) {
    for (RetryOn on : retryOn) {
      if (on.matchesResponse(httpStatus, grpcStatus, retriableStatusCodes, response, request)) {
        return true;
      }
    }
    return false;
  }

  /** Whether an attempt that failed before a response may be retried. */
  public boolean retriableFailure(AttemptFailure failure) {
    for (RetryOn on : retryOn) {
      if (on.matchesFailure(failure)) {
        return true;
      }
    }
    return false;
  }
}
