package io.meshwork.proxy.http;

import io.netty.handler.codec.http.HttpDecoderConfig;
import java.time.Duration;

/**
 * Parser limits and strictness for untrusted HTTP traffic; exceeding a limit is answered 414 or 431
 * (RFC 9112 §3, RFC 6585 §5). The defaults are documented in docs/sidecar.md, "Limits".
 */
public final class HttpLimits {
  public static final int MAX_INITIAL_LINE = 8 * 1024;
  public static final int MAX_HEADER_SIZE = 60 * 1024;
  public static final int MAX_HEADER_COUNT = 100;
  /** Body chunks are passed on in pieces of at most this size, so a large body never lands in one buffer. */
  public static final int MAX_CHUNK_SIZE = 16 * 1024;
  public static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration IDLE_TIMEOUT = Duration.ofHours(1);

  /** HTTP/2: RST_STREAM frames a client may send per window before the connection ends (CVE-2023-44487). */
  public static final int H2_MAX_RST_FRAMES = 200;
  public static final int H2_RST_WINDOW_SECONDS = 30;
  /** HTTP/2: control frames (SETTINGS and PING acks, RST_STREAM) queued for a peer that does not read. */
  public static final int H2_MAX_QUEUED_CONTROL_FRAMES = 1000;
  /** HTTP/2: DATA frames without payload and without END_STREAM in a row. */
  public static final int H2_MAX_EMPTY_DATA_FRAMES = 2;
  /** HTTP/2: small CONTINUATION frames tolerated in one header block (CVE-2024-27316-style floods). */
  public static final int H2_MAX_SMALL_CONTINUATION_FRAMES = 16;
  public static final long H2_MAX_CONCURRENT_STREAMS = 1024;

  private HttpLimits() {}

  public static HttpDecoderConfig decoderConfig() {
    return decoderConfig(DownstreamLimits.DEFAULTS);
  }

  /**
   * A strict HTTP/1.1 request decoder: CRLF line endings only (RFC 9112 §2.2), Content-Length with
   * Transfer-Encoding and Transfer-Encoding on HTTP/1.0 are errors (RFC 9112 §6.1), repeated
   * Content-Length is an error even with equal values (RFC 9112 §6.3 allows a recipient to reject),
   * and header names and values are validated (RFC 9110 §5.5).
   */
  public static HttpDecoderConfig decoderConfig(DownstreamLimits limits) {
    return new HttpDecoderConfig()
        .setMaxInitialLineLength(limits.maxRequestLine())
        .setMaxHeaderSize(limits.maxHeaderBytes())
        .setMaxChunkSize(MAX_CHUNK_SIZE)
        .setValidateHeaders(true)
        .setStrictLineParsing(true)
        .setUseRfc9112TransferEncoding(true)
        .setAllowDuplicateContentLengths(false);
  }
}
