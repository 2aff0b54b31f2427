package io.meshwork.proxy.cluster;

import java.time.Duration;

/**
 * Limits on the connections a proxy keeps to one cluster (Istio ConnectionPoolSettings).
 *
 * @param connectTimeout TCP connect timeout (Istio default 10 s)
 * @param idleTimeout how long an idle upstream connection is kept (Istio default 1 h)
 * @param maxRequestsPerConnection 0 for unlimited
 */
public record ConnectionPoolSettings(Duration connectTimeout, Duration idleTimeout, int maxRequestsPerConnection) {
  public static final ConnectionPoolSettings DEFAULT =
      new ConnectionPoolSettings(Duration.ofSeconds(10), Duration.ofHours(1), 0);
}
