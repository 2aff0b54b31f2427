package io.meshwork.proxy.discovery;

import java.util.List;

/**
 * The answer to an atomic apply of several resources: all were written at {@code revision}, or none.
 *
 * @param items what happened to each resource, in the order sent
 * @param warnings admission warnings (ignored fields, kinds that mean nothing outside Kubernetes)
 */
public record BatchApplied(long revision, List<Item> items, List<String> warnings) {
  /** Kubernetes' words for what an apply did to one object. */
  public enum Action { CREATED, CONFIGURED, UNCHANGED }

  /** One resource's outcome; {@code namespace} is "" for cluster-scoped kinds. */
  public record Item(String kind, String namespace, String name, Action action) {}

  public BatchApplied {
    items = List.copyOf(items);
    warnings = List.copyOf(warnings);
  }
}
