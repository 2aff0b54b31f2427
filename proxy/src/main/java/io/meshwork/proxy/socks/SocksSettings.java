package io.meshwork.proxy.socks;

import java.time.Duration;

/**
 * Timeouts of the SOCKS5 port.
 *
 * @param handshakeTimeout how long a client may take from accept to its CONNECT request, so a
 *     silent client cannot hold a connection
 * @param idleTimeout how long a spliced stream may carry no byte either way before both sides close
 *     (Istio's TCP idle timeout defaults to 1 h); zero disables it
 * @param connectTimeout the upstream connect timeout for original destinations; clusters use their
 *     DestinationRule's {@code connectTimeout}
 */
public record SocksSettings(Duration handshakeTimeout, Duration idleTimeout, Duration connectTimeout) {
  public static final SocksSettings DEFAULT =
      new SocksSettings(Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofSeconds(10));

  public SocksSettings {
    positive("handshakeTimeout", handshakeTimeout);
    if (idleTimeout == null || idleTimeout.isNegative()) {
      throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: >= 0, 0 to disable)");
    }
    positive("connectTimeout", connectTimeout);
  }

  private static void positive(String field, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: > 0)");
    }
  }
}
