package io.meshwork.proxy.admission;

import java.time.Duration;

/**
 * A cluster's circuit-breaking limits (Istio ConnectionPoolSettings, Envoy circuit breakers). Istio
 * leaves every limit unset as "unlimited" (2^32-1); {@link Integer#MAX_VALUE} stands for that here.
 *
 * @param maxConnections {@code tcp.maxConnections}: HTTP/1.1 connections to the cluster, so also the
 *     requests in flight to it (each holds one connection)
 * @param maxPendingRequests {@code http.http1MaxPendingRequests}: requests waiting for a free connection
 * @param maxRequests {@code http.http2MaxRequests}: requests in flight to the cluster, either protocol
 * @param maxRetries {@code http.maxRetries}: retries outstanding to the cluster at a time
 * @param pendingTimeout how long a request waits for a connection ({@code tcp.connectTimeout}, as in Envoy)
 */
public record ConnectionLimits(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries,
    Duration pendingTimeout) {
  public static final int UNLIMITED = Integer.MAX_VALUE;
  public static final ConnectionLimits NONE =
      new ConnectionLimits(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED, Duration.ofSeconds(10));

  public ConnectionLimits {
    check("maxConnections", maxConnections, 1);
    check("http1MaxPendingRequests", maxPendingRequests, 1);
    check("http2MaxRequests", maxRequests, 1);
    check("maxRetries", maxRetries, 1);
    if (pendingTimeout.isNegative() || pendingTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout: " + pendingTimeout + " (expected: > 0)");
    }
  }

  private static void check(String field, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: >= " + min + ")");
    }
  }

  /** Whether no limit is set: admission then counts nothing. */
  public boolean unlimited() {
    return maxConnections == UNLIMITED && maxPendingRequests == UNLIMITED && maxRequests == UNLIMITED
        && maxRetries == UNLIMITED;
  }

  /** Requests a cluster may have in flight: HTTP/1.1 ones each hold a connection, HTTP/2 ones share. */
  public int requestSlots(boolean http2) {
    return http2 ? maxRequests : Math.min(maxConnections, maxRequests);
  }
}
