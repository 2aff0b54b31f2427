package io.meshwork.proxy.route;

import io.netty.handler.codec.http.HttpRequest;

/** A predicate over a request head: one VirtualService {@code match} list, compiled. */
@FunctionalInterface
public interface RouteMatch {
  /** Matches every request, as Envoy's implicit {@code prefix: "/"} does. */
  RouteMatch ANY = (request, path) -> "/";

  /**
   * Tests the request and reports which uri prefix matched, for {@link UriRewrite}.
   *
   * @param request the request head as received
   * @param path the request path without the query string
   * @return {@code null} when the request does not match; otherwise the part of the path that
   *     {@link UriRewrite.Replace} replaces: the matched prefix for a {@code uri.prefix} block (in
   *     the request's spelling under {@code ignoreUriCase}), the whole path for {@code exact} and
   *     {@code regex} blocks, and {@code "/"} for a block without a uri condition (Envoy's implicit
   *     {@code prefix: "/"})
   */
  String match(HttpRequest request, String path);
}
