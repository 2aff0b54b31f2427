package io.meshwork.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 §7.6.1), so
 * they never cross the proxy: Connection and every header it names, Keep-Alive, Proxy-Connection,
 * TE other than "trailers", Transfer-Encoding and Upgrade. HTTP/2 framing already dropped most of
 * them; the {@code x-http2-*} names Netty uses to carry HTTP/2 pseudo-header facts are removed too.
 */
public final class HopByHopHeaders {
  private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
  private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
  private static final List<AsciiString> EXTENSION_HEADERS = List.of(
      HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
      HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
      HttpConversionUtil.ExtensionHeaderNames.PATH.text(),
      HttpConversionUtil.ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text(),
      HttpConversionUtil.ExtensionHeaderNames.STREAM_PROMISE_ID.text(),
      HttpConversionUtil.ExtensionHeaderNames.STREAM_WEIGHT.text());

  private HopByHopHeaders() {}

  /**
   * Strips hop-by-hop headers in place.
   *
   * @param keepUpgrade whether Connection: upgrade and Upgrade survive (a WebSocket handshake)
   * @return whether the message was chunked, so the caller can rebuild Transfer-Encoding for the next hop
   */
  public static boolean strip(HttpHeaders headers, boolean keepUpgrade) {
    boolean chunked = headers.containsValue(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, true);
    String upgrade = keepUpgrade ? headers.get(HttpHeaderNames.UPGRADE) : null;
    if (headers.contains(HttpHeaderNames.CONNECTION)) {
      List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
      for (int i = 0; i < connection.size(); i++) {
        for (String token : connection.get(i).split(",")) {
          String name = token.trim();
          if (!name.isEmpty()) {
            headers.remove(name);
          }
        }
      }
      headers.remove(HttpHeaderNames.CONNECTION);
    }
    headers.remove(KEEP_ALIVE);
    headers.remove(PROXY_CONNECTION);
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    headers.remove(HttpHeaderNames.UPGRADE);
    String te = headers.get(HttpHeaderNames.TE);
    if (te != null) {
      headers.remove(HttpHeaderNames.TE);
      if (containsToken(te, "trailers")) {
        headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
      }
    }
    for (int i = 0; i < EXTENSION_HEADERS.size(); i++) {
      headers.remove(EXTENSION_HEADERS.get(i));
    }
    if (upgrade != null) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      headers.set(HttpHeaderNames.UPGRADE, upgrade);
    }
    return chunked;
  }

  /** Whether a comma-separated header value holds {@code token} (case-insensitive). */
  public static boolean containsToken(String value, String token) {
    if (value == null) {
      return false;
    }
    for (String part : value.split(",")) {
      if (part.trim().equalsIgnoreCase(token)) {
        return true;
      }
    }
    return false;
  }
}
