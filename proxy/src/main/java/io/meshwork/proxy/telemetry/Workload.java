package io.meshwork.proxy.telemetry;

/**
 * The workload a sidecar stands for, as Istio's metric labels name it.
 *
 * @param name the workload (the service name a sidecar registers under)
 * @param namespace its namespace
 * @param principal its SPIFFE identity ({@code spiffe://cluster.local/ns/shop/sa/orders}), or null
 *     when it has none
 * @param app the {@code app} label, or null
 * @param version the {@code version} label, or null
 */
public record Workload(String name, String namespace, String principal, String app, String version) {
  public Workload {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("name: " + name + " (expected: a workload name)");
    }
    if (namespace == null || namespace.isEmpty()) {
      throw new IllegalArgumentException("namespace: " + namespace + " (expected: a namespace)");
    }
  }
}
