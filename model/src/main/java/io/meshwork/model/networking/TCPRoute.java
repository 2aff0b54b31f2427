package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.List;

/** Istio TCPRoute: opaque TCP traffic, matched on L4 attributes. */
public record TCPRoute(List<L4MatchAttributes> match, List<RouteDestination> route) {
  public TCPRoute {
    match = Copies.list(match);
    route = Copies.list(route);
  }
}
