package io.meshwork.model.networking;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import java.util.List;
import java.util.Map;

/** Istio Gateway: a load balancer at the edge of the mesh, selected by workload labels. */
public record Gateway(Map<String, String> selector, List<Server> servers) implements Spec {
  public Gateway {
    selector = Copies.map(selector);
    servers = Copies.list(servers);
  }
}
