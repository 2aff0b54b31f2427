package io.meshwork.model.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Immutable copies for record components. Absent collections become empty ones, so callers never
 * test for null; maps keep the document's order so that written YAML reads like its source.
 */
public final class Copies {
  private Copies() {}

  public static <T> List<T> list(List<T> list) {
    if (list == null || list.isEmpty()) {
      return List.of();
    }
    return Collections.unmodifiableList(new ArrayList<>(list));
  }

  public static <K, V> Map<K, V> map(Map<K, V> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
