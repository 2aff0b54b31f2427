package io.meshwork.bench.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The three responses the echo backend ever sends, encoded once into direct buffers so that a
 * request costs one {@link ByteBuf#retainedDuplicate()} and one write: the backend must stay far
 * cheaper than any proxy in front of it, or the benchmark measures the backend.
 */
final class CannedResponses implements AutoCloseable {

  /** Largest body the backend serves; a benchmark of "small bodies" never needs more. */
  static final int MAX_BODY_BYTES = 1 << 20;

  private final ByteBuf keepAlive;
  private final ByteBuf closing;
  private final ByteBuf badRequest;

  CannedResponses(ByteBufAllocator alloc, int bodyBytes) {
    if (bodyBytes < 0 || bodyBytes > MAX_BODY_BYTES) {
      throw new IllegalArgumentException(
          "bodyBytes: " + bodyBytes + " (expected: 0.." + MAX_BODY_BYTES + ")");
    }
    byte[] body = new byte[bodyBytes];
    Arrays.fill(body, (byte) 'm');
    keepAlive = encode(alloc, "200 OK", "", body);
    // RFC 9112 §9.6: a server that will close after this response says so with "close".
    closing = encode(alloc, "200 OK", "connection: close\r\n", body);
    badRequest = encode(alloc, "400 Bad Request", "connection: close\r\n", new byte[0]);
  }

  private static ByteBuf encode(ByteBufAllocator alloc, String status, String extraHeaders, byte[] body) {
    String head = "HTTP/1.1 " + status + "\r\n"
        + "content-type: text/plain\r\n"
        + "content-length: " + body.length + "\r\n"
        + extraHeaders
        + "\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    ByteBuf buf = alloc.directBuffer(headBytes.length + body.length);
    buf.writeBytes(headBytes).writeBytes(body);
    return buf;
  }

  ByteBuf okKeepAlive() {
    return keepAlive.retainedDuplicate();
  }

  ByteBuf okThenClose() {
    return closing.retainedDuplicate();
  }

  ByteBuf badRequest() {
    return badRequest.retainedDuplicate();
  }

  @Override
  public void close() {
    keepAlive.release();
    closing.release();
    badRequest.release();
  }
}
