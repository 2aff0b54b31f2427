package io.meshwork.model;

import io.meshwork.model.internal.Copies;
import java.util.Map;

/**
 * Kubernetes object metadata, reduced to what a mesh outside Kubernetes uses.
 *
 * @param name required; a DNS-1123 subdomain (checked by validation, not here)
 * @param namespace "default" when absent
 * @param labels never null
 * @param annotations never null
 * @param resourceVersion the store's revision of this object, or null before it is stored
 * @param generation incremented by the store on each spec change, or null
 */
public record ObjectMeta(
    String name,
    String namespace,
    Map<String, String> labels,
    Map<String, String> annotations,
    String resourceVersion,
    Long generation) {
  public static final String DEFAULT_NAMESPACE = "default";

  public ObjectMeta {
    namespace = namespace == null || namespace.isEmpty() ? DEFAULT_NAMESPACE : namespace;
    labels = Copies.map(labels);
    annotations = Copies.map(annotations);
  }

  public static ObjectMeta of(String name) {
    return new ObjectMeta(name, null, null, null, null, null);
  }

  public static ObjectMeta of(String name, String namespace) {
    return new ObjectMeta(name, namespace, null, null, null, null);
  }

  /** A copy carrying the store's revision. */
  public ObjectMeta withResourceVersion(String version) {
    return new ObjectMeta(name, namespace, labels, annotations, version, generation);
  }
}
