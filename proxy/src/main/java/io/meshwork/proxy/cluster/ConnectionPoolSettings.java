package io.meshwork.proxy.cluster;

import java.time.Duration;

/**
 * Limits on the connections a proxy keeps to one cluster (Istio ConnectionPoolSettings).
 *
 * @param connectTimeout TCP connect timeout (Istio default 10 s)
 * @param idleTimeout how long an idle upstream connection is kept (Istio default 1 h)
 * @param maxRequestsPerConnection 0 for unlimited
 * @param keepalive TCP keepalive on upstream connections (Istio tcp.tcpKeepalive), or null for the OS default (off)
 * @param maxConnectionDuration an upstream connection takes no new request once this old and closes when its
 *     requests are done (Istio tcp.maxConnectionDuration); {@link Duration#ZERO} for no limit
 * @param maxConcurrentStreams the most streams on one HTTP/2 upstream connection (Istio http.maxConcurrentStreams),
 *     below the peer's own limit; 0 for the peer's
 * @param tcpIdleTimeout how long an opaque stream to the cluster may carry nothing before both sides are closed
 *     (Istio tcp.idleTimeout, default 1 h); {@link Duration#ZERO} disables it
 */
public record ConnectionPoolSettings(Duration connectTimeout, Duration idleTimeout, int maxRequestsPerConnection,
    Keepalive keepalive, Duration maxConnectionDuration, int maxConcurrentStreams, Duration tcpIdleTimeout) {
  public static final Duration DEFAULT_TCP_IDLE_TIMEOUT = Duration.ofHours(1);
  public static final ConnectionPoolSettings DEFAULT =
      new ConnectionPoolSettings(Duration.ofSeconds(10), Duration.ofHours(1), 0);

  /**
   * SO_KEEPALIVE with the probe settings Istio's TcpKeepalive names; a null field keeps the operating system's value.
   *
   * @param probes unanswered probes before the connection is dropped
   * @param time idle time before the first probe
   * @param interval time between probes
   */
  public record Keepalive(Integer probes, Duration time, Duration interval) {}

  public ConnectionPoolSettings {
    maxConnectionDuration = maxConnectionDuration == null ? Duration.ZERO : maxConnectionDuration;
    tcpIdleTimeout = tcpIdleTimeout == null ? DEFAULT_TCP_IDLE_TIMEOUT : tcpIdleTimeout;
    if (maxConcurrentStreams < 0) {
      throw new IllegalArgumentException("maxConcurrentStreams: " + maxConcurrentStreams + " (expected: >= 0)");
    }
  }

  public ConnectionPoolSettings(Duration connectTimeout, Duration idleTimeout, int maxRequestsPerConnection) {
    this(connectTimeout, idleTimeout, maxRequestsPerConnection, null, Duration.ZERO, 0, DEFAULT_TCP_IDLE_TIMEOUT);
  }
}
