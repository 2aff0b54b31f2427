package io.meshwork.model.codec;

import io.meshwork.model.validation.FieldPath;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each field of one document starts in its source: the key's position for object members, the
 * element's position for array elements. Paths are absolute within the source document.
 */
final class LocationIndex {
  record Location(int line, int column) {
    static final Location UNKNOWN = new Location(0, 0);
  }

  private final Map<String, Location> byPath = new HashMap<>();

  void put(String path, int line, int column) {
    byPath.put(path, new Location(line, column));
  }

  /** The location of {@code path}, or of its nearest ancestor that exists (for missing fields). */
  Location find(String path) {
    String p = path;
    while (true) {
      Location found = byPath.get(p);
      if (found != null) {
        return found;
      }
      if (p.isEmpty()) {
        return Location.UNKNOWN;
      }
      p = FieldPath.parent(p);
    }
  }
}
