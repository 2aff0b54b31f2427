package io.meshwork.model;

import java.util.Objects;

/**
 * One configuration document: {@code apiVersion}, {@code kind}, {@code metadata} and {@code spec}.
 *
 * @param apiVersion as written; the kind's preferred version when null
 * @param kind the kind; its {@link Kind#specType()} is the type of {@code spec}
 * @param metadata name, namespace, labels
 * @param spec the kind-specific body
 */
public record Resource<S extends Spec>(String apiVersion, Kind kind, ObjectMeta metadata, S spec) {
  public Resource {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
    if (!kind.specType().isInstance(spec)) {
      throw new IllegalArgumentException(
          "spec: " + spec.getClass().getSimpleName() + " (expected: " + kind.specType().getSimpleName() + ")");
    }
    apiVersion = apiVersion == null ? kind.preferredApiVersion() : apiVersion;
  }

  /** A resource of the kind that {@code spec}'s type belongs to, at its preferred API version. */
  public static <S extends Spec> Resource<S> of(ObjectMeta metadata, S spec) {
    return new Resource<>(null, Kind.forSpec(spec.getClass()), metadata, spec);
  }

  public String name() {
    return metadata.name();
  }

  public String namespace() {
    return metadata.namespace();
  }

  /** "VirtualService/default/product-service"; cluster-scoped kinds omit the namespace. */
  public String key() {
    return kind.namespaced()
        ? kind.kindName() + "/" + namespace() + "/" + name()
        : kind.kindName() + "/" + name();
  }

  public Resource<S> withMetadata(ObjectMeta newMetadata) {
    return new Resource<>(apiVersion, kind, newMetadata, spec);
  }
}
