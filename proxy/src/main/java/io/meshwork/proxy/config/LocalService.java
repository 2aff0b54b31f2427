package io.meshwork.proxy.config;

/**
 * The service whose sidecar a snapshot is compiled for: short host names resolve in its namespace,
 * and route matches on {@code sourceNamespace} / {@code sourceLabels} are decided against it.
 *
 * @param name the service name (the {@code app} label of its workloads)
 * @param namespace its namespace
 */
public record LocalService(String name, String namespace) {
  public LocalService {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: " + name + " (expected: a service name)");
    }
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalArgumentException("namespace: " + namespace + " (expected: a namespace)");
    }
  }
}
