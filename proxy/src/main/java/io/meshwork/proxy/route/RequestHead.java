package io.meshwork.proxy.route;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * Reads the values a route match may test from a request head, including the HTTP/2 pseudo-headers
 * (RFC 9113 §8.3.1) that an HTTP/1.1 request carries in its request line and Host header.
 */
final class RequestHead {
  /** Where Netty's HTTP/2-to-HTTP/1 conversion keeps the :scheme pseudo-header. */
  private static final String HTTP2_SCHEME = "x-http2-scheme";

  private RequestHead() {}

  /**
   * The :authority: the Host header, else the authority of an absolute-form target
   * (RFC 9112 §3.2.2), else null.
   */
  static String authority(HttpRequest request) {
    String host = request.headers().get(HttpHeaderNames.HOST);
    if (host != null) {
      return host;
    }
    String uri = request.uri();
    int scheme = uri.indexOf("://");
    if (scheme <= 0) {
      return null;
    }
    int start = scheme + 3;
    int end = start;
    while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
      end++;
    }
    return uri.substring(start, end);
  }

  static String scheme(HttpRequest request) {
    String scheme = request.headers().get(HTTP2_SCHEME);
    if (scheme != null) {
      return scheme;
    }
    String uri = request.uri();
    int i = uri.indexOf("://");
    return i > 0 ? uri.substring(0, i) : "http";
  }

  /** The port the request addressed: explicit in the authority, else the scheme's default. */
  static int port(HttpRequest request) {
    String authority = authority(request);
    if (authority != null) {
      int colon = authority.lastIndexOf(':');
      // An IPv6 literal's colons sit inside brackets (RFC 3986 §3.2.2).
      if (colon > authority.lastIndexOf(']') && colon < authority.length() - 1) {
        try {
          return Integer.parseInt(authority, colon + 1, authority.length(), 10);
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return "https".equalsIgnoreCase(scheme(request)) ? 443 : 80;
  }

  /**
   * A header's value, or null when absent; several fields with the same name are joined with
   * commas, which RFC 9110 §5.3 makes equivalent.
   */
  static String header(HttpRequest request, String lowerCaseName) {
    return switch (lowerCaseName) {
      case ":authority" -> authority(request);
      case ":method" -> request.method().name();
      case ":path" -> request.uri();
      case ":scheme" -> scheme(request);
      default -> {
        List<String> values = request.headers().getAll(lowerCaseName);
        yield values.isEmpty() ? null : values.size() == 1 ? values.get(0) : String.join(",", values);
      }
    };
  }
}
