package io.meshwork.proxy.route;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;

/** Istio Headers.HeaderOperations: set, add and remove, applied in that order. */
public record HeaderOps(Map<String, String> set, Map<String, String> add, List<String> remove) {
  public static final HeaderOps NONE = new HeaderOps(Map.of(), Map.of(), List.of());

  public HeaderOps {
    set = Map.copyOf(set);
    add = Map.copyOf(add);
    remove = List.copyOf(remove);
  }

  public boolean isEmpty() {
    return set.isEmpty() && add.isEmpty() && remove.isEmpty();
  }

  public void applyTo(HttpHeaders headers) {
    set.forEach(headers::set);
    add.forEach(headers::add);
    remove.forEach(headers::remove);
  }
}
