package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.List;

/** Istio TLSRoute: TLS passed through, matched on SNI. */
public record TLSRoute(List<TLSMatchAttributes> match, List<RouteDestination> route) {
  public TLSRoute {
    match = Copies.list(match);
    route = Copies.list(route);
  }
}
