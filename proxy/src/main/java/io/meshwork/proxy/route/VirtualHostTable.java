package io.meshwork.proxy.route;

import io.netty.handler.codec.http.HttpRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The outbound route table: virtual hosts by host name, looked up as Envoy does (an exact name first,
 * then the longest matching {@code *.suffix} wildcard, then {@code *}); within a host the first route
 * that matches wins, and a forward picks one destination by weight.
 */
public final class VirtualHostTable implements RouteTable {
  private final List<VirtualHost> hosts;
  private final Map<String, VirtualHost> exact = new HashMap<>();
  /** Keyed by the suffix including its leading dot: "*.example.com" under ".example.com". */
  private final Map<String, VirtualHost> wildcard = new HashMap<>();
  private final VirtualHost catchAll;

  /**
   * @throws IllegalArgumentException when two virtual hosts claim the same domain
   */
  public VirtualHostTable(List<VirtualHost> hosts) {
    this.hosts = List.copyOf(hosts);
    VirtualHost any = null;
    for (VirtualHost vh : this.hosts) {
      for (String domain : vh.domains()) {
        VirtualHost previous;
        if (domain.equals("*")) {
          previous = any;
          any = vh;
        } else if (domain.startsWith("*.")) {
          previous = wildcard.put(domain.substring(1), vh);
        } else {
          previous = exact.put(domain, vh);
        }
        if (previous != null && previous != vh) {
          throw new IllegalArgumentException(
              "domains: " + domain + " (expected: unique across virtual hosts; also in " + previous.name() + ")");
        }
      }
    }
    this.catchAll = any;
  }

  public static VirtualHostTable empty() {
    return new VirtualHostTable(List.of());
  }

  public List<VirtualHost> hosts() {
    return hosts;
  }

  /** The virtual host serving {@code host} (lower case, no port), or null. */
  public VirtualHost find(String host) {
    VirtualHost vh = exact.get(host);
    if (vh != null) {
      return vh;
    }
    if (!wildcard.isEmpty()) {
      for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
        // A wildcard needs at least one character before its suffix (Envoy).
        if (dot > 0) {
          vh = wildcard.get(host.substring(dot));
          if (vh != null) {
            return vh;
          }
        }
      }
    }
    return catchAll;
  }

  @Override
  public RouteDecision route(HttpRequest request, String host, int port, String path, double random) {
    VirtualHost vh = find(host);
    if (vh == null) {
      return new RouteDecision.UnknownHost(host);
    }
    List<Route> routes = vh.routes();
    for (int i = 0; i < routes.size(); i++) {
      Route route = routes.get(i);
      String matched = route.match().match(request, path);
      if (matched == null) {
        continue;
      }
      if (route.action() instanceof RouteAction.Forward forward) {
        RouteAction.WeightedCluster chosen = choose(forward.destinations(), random);
        return new RouteDecision.Matched(route, chosen.cluster(), chosen, matched);
      }
      return new RouteDecision.Matched(route, null, null, matched);
    }
    return new RouteDecision.NoRouteMatched(host);
  }

  /** Weighted choice: destination i owns the share [sum(w < i), sum(w <= i)) of the total. */
  static RouteAction.WeightedCluster choose(List<RouteAction.WeightedCluster> destinations, double random) {
    int size = destinations.size();
    if (size == 1) {
      return destinations.get(0);
    }
    long total = 0;
    for (int i = 0; i < size; i++) {
      total += destinations.get(i).weight();
    }
    double point = random * total;
    long cumulative = 0;
    for (int i = 0; i < size; i++) {
      cumulative += destinations.get(i).weight();
      if (point < cumulative) {
        return destinations.get(i);
      }
    }
    return destinations.get(size - 1);
  }
}
