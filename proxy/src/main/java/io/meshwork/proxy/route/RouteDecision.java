package io.meshwork.proxy.route;

import io.meshwork.proxy.cluster.Cluster;

/** The outcome of routing one request head. */
public sealed interface RouteDecision {

  /**
   * A route matched.
   *
   * @param route the route
   * @param cluster for {@link RouteAction.Forward}, the destination chosen by weight; else null
   * @param destination for {@link RouteAction.Forward}, the chosen weighted destination; else null
   * @param matchedPrefix the uri prefix the route matched ("" if none), for rewrites
   */
  record Matched(Route route, Cluster cluster, RouteAction.WeightedCluster destination, String matchedPrefix)
      implements RouteDecision {}

  /** No service or VirtualService is known for the host: answered 404 naming the host. */
  record UnknownHost(String host) implements RouteDecision {}

  /** The host is known but none of its routes matched: answered 404. */
  record NoRouteMatched(String host) implements RouteDecision {}
}
