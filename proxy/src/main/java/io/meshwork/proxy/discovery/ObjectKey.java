package io.meshwork.proxy.discovery;

import io.meshwork.model.Resource;
import java.util.Objects;

/**
 * Identifies one stored object: kind name, namespace ("" for cluster-scoped kinds) and name. Kept as strings so an
 * object of a kind this sidecar does not know can still be tracked and removed.
 */
public record ObjectKey(String kind, String namespace, String name) implements Comparable<ObjectKey> {
  public ObjectKey {
    Objects.requireNonNull(kind, "kind");
    namespace = namespace == null ? "" : namespace;
    Objects.requireNonNull(name, "name");
  }

  public static ObjectKey of(Resource<?> resource) {
    return new ObjectKey(resource.kind().kindName(), resource.kind().namespaced() ? resource.namespace() : "",
        resource.name());
  }

  @Override
  public int compareTo(ObjectKey o) {
    int c = kind.compareTo(o.kind);
    if (c == 0) {
      c = namespace.compareTo(o.namespace);
    }
    return c == 0 ? name.compareTo(o.name) : c;
  }

  @Override
  public String toString() {
    return namespace.isEmpty() ? kind + "/" + name : kind + "/" + namespace + "/" + name;
  }
}
