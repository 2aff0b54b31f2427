package io.meshwork.proxy.http;

import io.netty.handler.codec.http.HttpDecoderConfig;

/** Parser limits for untrusted HTTP/1.1 traffic; exceeding them is answered 414 or 431 (RFC 9112 §3, RFC 6585 §5). */
public final class HttpLimits {
  public static final int MAX_INITIAL_LINE = 8 * 1024;
  public static final int MAX_HEADER_SIZE = 16 * 1024;
  /** Body chunks are passed on in pieces of at most this size, so a large body never lands in one buffer. */
  public static final int MAX_CHUNK_SIZE = 16 * 1024;

  private HttpLimits() {}

  public static HttpDecoderConfig decoderConfig() {
    return new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_INITIAL_LINE)
        .setMaxHeaderSize(MAX_HEADER_SIZE)
        .setMaxChunkSize(MAX_CHUNK_SIZE)
        .setValidateHeaders(true);
  }
}
