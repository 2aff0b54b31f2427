package io.meshwork.proxy.config;

import java.util.HashMap;
import java.util.Map;

/**
 * The workload whose sidecar a snapshot is compiled for: short host names resolve in its namespace,
 * route matches on {@code sourceNamespace} / {@code sourceLabels} are decided against it, and
 * policy selectors ({@code matchLabels}) are matched against its labels.
 *
 * @param name the service name (the {@code app} label of its workloads)
 * @param namespace its namespace
 * @param labels the workload's labels; always include {@code app=<name>}
 */
public record LocalService(String name, String namespace, Map<String, String> labels) {
  public LocalService {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: " + name + " (expected: a service name)");
    }
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalArgumentException("namespace: " + namespace + " (expected: a namespace)");
    }
    Map<String, String> all = new HashMap<>(labels == null ? Map.of() : labels);
    all.putIfAbsent("app", name);
    labels = Map.copyOf(all);
  }

  /** A workload labelled only {@code app=<name>}. */
  public LocalService(String name, String namespace) {
    this(name, namespace, Map.of());
  }
}
