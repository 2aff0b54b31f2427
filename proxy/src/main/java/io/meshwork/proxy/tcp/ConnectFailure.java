package io.meshwork.proxy.tcp;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;

/** Why no upstream connection could be opened; each way in maps it to its own protocol's reply. */
public enum ConnectFailure {
  /** The destination has no endpoint to try. */
  NO_ENDPOINT,
  /** The peer answered the SYN with a reset. */
  REFUSED,
  /** No route to the host (ICMP host unreachable). */
  HOST_UNREACHABLE,
  /** No route to the network. */
  NETWORK_UNREACHABLE,
  /** The host name does not resolve. */
  UNKNOWN_HOST,
  /** The connect timeout elapsed. */
  TIMED_OUT,
  /** The connection opened but mutual TLS with the peer sidecar did not settle (refused SVID, no tunnel support). */
  TLS_HANDSHAKE,
  /** Anything else, e.g. running out of file descriptors. */
  OTHER;

  /** Classifies a connect error; native transports report errno text rather than exception types. */
  public static ConnectFailure of(Throwable cause) {
    if (cause instanceof io.netty.channel.ConnectTimeoutException) {
      return TIMED_OUT;
    }
    if (cause instanceof UnknownHostException) {
      return UNKNOWN_HOST;
    }
    if (cause instanceof NoRouteToHostException) {
      return HOST_UNREACHABLE;
    }
    String message = cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(Locale.ROOT);
    if (message.contains("network is unreachable")) {
      return NETWORK_UNREACHABLE;
    }
    if (message.contains("no route to host") || message.contains("host is unreachable")) {
      return HOST_UNREACHABLE;
    }
    if (message.contains("timed out")) {
      return TIMED_OUT;
    }
    if (cause instanceof ConnectException) {
      return REFUSED;
    }
    return OTHER;
  }
}
