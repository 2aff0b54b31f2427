package io.meshwork.proxy.route;

import io.netty.handler.codec.http.HttpRequest;

/**
 * Routes request heads to clusters: looks up the virtual host for an authority, then takes the
 * first route that matches (Istio evaluates http routes in order). Immutable; part of a snapshot.
 */
public interface RouteTable {

  /**
   * @param request the request head
   * @param host the target host without port, lower case (from the absolute URI, Host, the
   *     dapr-app-id header or the upstream port's service)
   * @param port the target port, or 0 when the caller named none
   * @param path the path without query string
   * @param random a uniform value in [0, 1) used for weighted destination choice
   */
  RouteDecision route(HttpRequest request, String host, int port, String path, double random);
}
