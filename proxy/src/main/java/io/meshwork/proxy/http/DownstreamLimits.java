package io.meshwork.proxy.http;

import java.time.Duration;

/**
 * What one downstream HTTP connection may cost the proxy before it is answered and closed. The
 * defaults follow Envoy's: 60 KiB of request headers and 100 header fields (431, RFC 6585 §5), an
 * 8 KiB request line (414, RFC 9112 §3), 10 s to receive a request head once its first byte arrived
 * (408, RFC 9110 §15.5.9) and 1 h of keep-alive idleness. It also holds the one strictness choice
 * that is the operator's: what becomes of header names with an underscore ({@link UnderscoreHeaders}).
 *
 * @param maxRequestLine bytes of the request line, method and version included
 * @param maxHeaderBytes bytes of the header section
 * @param maxHeaderCount header field lines in one head
 * @param headerTimeout from the first byte of a request head to its end; slowloris clients hit it
 * @param idleTimeout how long a connection with no request in progress stays open
 * @param underscoreHeaders what becomes of header names with an underscore (dropped by default)
 */
public record DownstreamLimits(
    int maxRequestLine, int maxHeaderBytes, int maxHeaderCount, Duration headerTimeout, Duration idleTimeout,
    UnderscoreHeaders underscoreHeaders) {

  public static final DownstreamLimits DEFAULTS = new DownstreamLimits(
      HttpLimits.MAX_INITIAL_LINE, HttpLimits.MAX_HEADER_SIZE, HttpLimits.MAX_HEADER_COUNT,
      HttpLimits.HEADER_TIMEOUT, HttpLimits.IDLE_TIMEOUT, UnderscoreHeaders.DROP);

  /** Limits that drop header names with an underscore. */
  public DownstreamLimits(
      int maxRequestLine, int maxHeaderBytes, int maxHeaderCount, Duration headerTimeout, Duration idleTimeout) {
    this(maxRequestLine, maxHeaderBytes, maxHeaderCount, headerTimeout, idleTimeout, UnderscoreHeaders.DROP);
  }

  public DownstreamLimits {
    if (maxRequestLine < 64) {
      throw new IllegalArgumentException("maxRequestLine: " + maxRequestLine + " (expected: >= 64)");
    }
    if (maxHeaderBytes < 256) {
      throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: >= 256)");
    }
    if (maxHeaderCount < 1) {
      throw new IllegalArgumentException("maxHeaderCount: " + maxHeaderCount + " (expected: > 0)");
    }
    if (headerTimeout == null || headerTimeout.isNegative() || headerTimeout.isZero()) {
      throw new IllegalArgumentException("headerTimeout: " + headerTimeout + " (expected: > 0)");
    }
    if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
    }
    if (underscoreHeaders == null) {
      throw new IllegalArgumentException("underscoreHeaders: null (expected: one of ALLOW, DROP, REJECT)");
    }
  }

  public DownstreamLimits withHeaderTimeout(Duration timeout) {
    return new DownstreamLimits(maxRequestLine, maxHeaderBytes, maxHeaderCount, timeout, idleTimeout, underscoreHeaders);
  }

  public DownstreamLimits withIdleTimeout(Duration timeout) {
    return new DownstreamLimits(maxRequestLine, maxHeaderBytes, maxHeaderCount, headerTimeout, timeout, underscoreHeaders);
  }

  public DownstreamLimits withMaxHeaderCount(int count) {
    return new DownstreamLimits(maxRequestLine, maxHeaderBytes, count, headerTimeout, idleTimeout, underscoreHeaders);
  }

  public DownstreamLimits withUnderscoreHeaders(UnderscoreHeaders action) {
    return new DownstreamLimits(maxRequestLine, maxHeaderBytes, maxHeaderCount, headerTimeout, idleTimeout, action);
  }
}
