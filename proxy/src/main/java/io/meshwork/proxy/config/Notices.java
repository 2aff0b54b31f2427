package io.meshwork.proxy.config;

import io.meshwork.model.Resource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The notes one compilation collects, deduplicated, in the order they arose. */
final class Notices {
  private final Set<String> lines = new LinkedHashSet<>();

  void add(Resource<?> resource, String field, String message) {
    lines.add(subject(resource) + ": " + field + " " + message);
  }

  void notEnforced(Resource<?> resource, String field) {
    add(resource, field, UnenforcedFields.NOT_ENFORCED);
  }

  void add(String line) {
    lines.add(line);
  }

  static String subject(Resource<?> resource) {
    return resource.kind().kindName() + " " + resource.namespace() + "/" + resource.name();
  }

  List<String> toList() {
    return List.copyOf(new ArrayList<>(lines));
  }
}
