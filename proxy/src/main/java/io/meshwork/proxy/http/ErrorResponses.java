package io.meshwork.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/** Builds the responses the proxy answers on its own: short text bodies, or trailers-only gRPC errors. */
public final class ErrorResponses {
  public static final AsciiString X_MESHWORK_ERROR = AsciiString.cached("x-meshwork-error");
  public static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
  public static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
  private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");
  private static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");

  private ErrorResponses() {}

  /** Whether the caller speaks gRPC (gRPC over HTTP/2: content-type application/grpc[+proto|...]). */
  public static boolean isGrpc(HttpRequest request) {
    String ct = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    return ct != null && ct.regionMatches(true, 0, "application/grpc", 0, 16);
  }

  /**
   * An error response. gRPC callers get a trailers-only HTTP 200 whose grpc-status carries the
   * error (gRPC over HTTP/2, "Responses"), since gRPC clients ignore the HTTP status.
   *
   * @param message the body text without the trailing newline
   */
  public static FullHttpResponse of(ByteBufAllocator alloc, ProxyError error, String message, boolean grpc) {
    if (grpc) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
      HttpHeaders h = response.headers();
      h.set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_GRPC);
      h.setInt(GRPC_STATUS, error.grpcStatus());
      h.set(GRPC_MESSAGE, percentEncode(message));
      h.set(X_MESHWORK_ERROR, error.reason());
      h.setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
      return response;
    }
    return text(alloc, error.status(), error.reason(), message + "\n");
  }

  /** A plain-text response carrying {@code x-meshwork-error: reason}. */
  public static FullHttpResponse text(ByteBufAllocator alloc, HttpResponseStatus status, String reason, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ByteBuf content = alloc.buffer(bytes.length).writeBytes(bytes);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    HttpHeaders h = response.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    if (reason != null) {
      h.set(X_MESHWORK_ERROR, reason);
    }
    return response;
  }

  /** A bodiless response, e.g. a redirect. */
  public static FullHttpResponse empty(HttpResponseStatus status) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
    return response;
  }

  /** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2, "Responses"). */
  static String percentEncode(String message) {
    StringBuilder out = null;
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      boolean plain = b >= 0x20 && b <= 0x7e && b != '%';
      if (plain && out == null) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(bytes.length + 16);
        out.append(message, 0, i);
      }
      if (plain) {
        out.append((char) b);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return out == null ? message : out.toString();
  }
}
