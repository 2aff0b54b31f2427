package io.meshwork.proxy.route;

import java.util.List;
import java.util.Locale;

/**
 * The routes for a set of host names (Envoy's virtual host): one service, or one VirtualService's
 * {@code hosts}.
 *
 * @param name a stable name for the admin API, e.g. {@code product-service.default}
 * @param domains host names, lower case, without port: exact names, {@code *.suffix} wildcards or {@code *}
 * @param routes evaluated in order; the first match wins
 */
public record VirtualHost(String name, List<String> domains, List<Route> routes) {
  public VirtualHost {
    domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
    routes = List.copyOf(routes);
    for (String d : domains) {
      if (d.isEmpty() || (d.indexOf('*') >= 0 && !d.equals("*") && !(d.startsWith("*.") && d.lastIndexOf('*') == 0))) {
        throw new IllegalArgumentException("domains: " + d + " (expected: a host name, *.suffix or *)");
      }
    }
  }
}
