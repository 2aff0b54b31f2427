package io.meshwork.proxy.route;

import io.netty.handler.codec.http.HttpRequest;

/** A predicate over a request head: one VirtualService {@code match} list, compiled. */
@FunctionalInterface
public interface RouteMatch {
  /** Matches every request; no uri prefix was matched. */
  RouteMatch ANY = (request, path) -> "";

  /**
   * Tests the request and reports which uri prefix matched, for {@link UriRewrite}.
   *
   * @param request the request head as received
   * @param path the request path without the query string
   * @return {@code null} when the request does not match; otherwise the path prefix that the
   *     matching block's {@code uri.prefix} matched, or {@code ""} when that block had no prefix
   */
  String match(HttpRequest request, String path);
}
