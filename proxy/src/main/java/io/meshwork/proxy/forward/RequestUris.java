package io.meshwork.proxy.forward;

import java.util.Locale;

/** Splits request-targets (RFC 9112 §3.2) and authorities (RFC 3986 §3.2) without allocating a URI. */
public final class RequestUris {
  private RequestUris() {}

  /** Whether the request-target is absolute-form: {@code http://host[:port]/path} (RFC 9112 §3.2.2). */
  public static boolean isAbsolute(String uri) {
    return uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8);
  }

  /** Index of the path start in an absolute-form target, or the length when it has no path. */
  public static int pathStart(String absoluteUri) {
    int schemeEnd = absoluteUri.indexOf("://") + 3;
    for (int i = schemeEnd; i < absoluteUri.length(); i++) {
      char c = absoluteUri.charAt(i);
      if (c == '/' || c == '?' || c == '#') {
        return i;
      }
    }
    return absoluteUri.length();
  }

  /** The authority of an absolute-form target. */
  public static String authority(String absoluteUri) {
    int start = absoluteUri.indexOf("://") + 3;
    String authority = absoluteUri.substring(start, pathStart(absoluteUri));
    int at = authority.lastIndexOf('@');
    return at >= 0 ? authority.substring(at + 1) : authority;
  }

  /** The host of an authority, lower case, without brackets or port. */
  public static String host(String authority) {
    String host;
    if (authority.startsWith("[")) {
      int end = authority.indexOf(']');
      host = end > 0 ? authority.substring(1, end) : authority;
    } else {
      int colon = authority.lastIndexOf(':');
      host = colon >= 0 ? authority.substring(0, colon) : authority;
    }
    return host.toLowerCase(Locale.ROOT);
  }

  /** The port of an authority, 0 when absent, -1 when malformed. */
  public static int port(String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon < 0 || authority.indexOf(']', colon) >= 0) {
      return 0;
    }
    if (colon == authority.length() - 1) {
      return 0;
    }
    int port = 0;
    for (int i = colon + 1; i < authority.length(); i++) {
      char c = authority.charAt(i);
      if (c < '0' || c > '9' || port > 65535) {
        return -1;
      }
      port = port * 10 + (c - '0');
    }
    return port > 65535 ? -1 : port;
  }

  /** Splits an origin-form target into path and query; the path is "/" when empty. */
  public static Target originForm(String host, int port, String authority, String uri) {
    int q = uri.indexOf('?');
    String path = q >= 0 ? uri.substring(0, q) : uri;
    String query = q >= 0 ? uri.substring(q + 1) : null;
    int hash = path.indexOf('#');
    if (hash >= 0) {
      path = path.substring(0, hash);
    }
    if (path.isEmpty()) {
      path = "/";
    }
    return new Target(host, port, authority, path, query);
  }
}
