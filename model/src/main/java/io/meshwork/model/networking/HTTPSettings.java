package io.meshwork.model.networking;

import java.time.Duration;

/**
 * Istio ConnectionPoolSettings.HTTPSettings. Null fields are unlimited (Envoy's 2^32-1) except
 * {@code idleTimeout} (1h) and {@code maxRequestsPerConnection} (0 = unlimited).
 */
public record HTTPSettings(
    Integer http1MaxPendingRequests,
    Integer http2MaxRequests,
    Integer maxRequestsPerConnection,
    Integer maxRetries,
    Duration idleTimeout,
    H2UpgradePolicy h2UpgradePolicy,
    Boolean useClientProtocol,
    Integer maxConcurrentStreams) {

  /** Whether HTTP/1.1 requests may be carried over HTTP/2 to the upstream. */
  public enum H2UpgradePolicy {
    DEFAULT,
    DO_NOT_UPGRADE,
    UPGRADE
  }
}
