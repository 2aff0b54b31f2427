package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.List;
import java.util.Map;

/** Istio Headers.HeaderOperations: {@code set} overwrites, {@code add} appends, {@code remove} deletes. */
public record HeaderOperations(Map<String, String> set, Map<String, String> add, List<String> remove) {
  public HeaderOperations {
    set = Copies.map(set);
    add = Copies.map(add);
    remove = Copies.list(remove);
  }
}
