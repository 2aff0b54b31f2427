package io.meshwork.model.networking;

import java.time.Duration;

/**
 * Istio ConnectionPoolSettings.TCPSettings. Null fields take Envoy's defaults (connectTimeout 10s,
 * maxConnections 2^32-1).
 */
public record TCPSettings(
    Integer maxConnections,
    Duration connectTimeout,
    TcpKeepalive tcpKeepalive,
    Duration maxConnectionDuration,
    Duration idleTimeout) {

  /** SO_KEEPALIVE settings; null fields use the operating system's. */
  public record TcpKeepalive(Integer probes, Duration time, Duration interval) {}
}
