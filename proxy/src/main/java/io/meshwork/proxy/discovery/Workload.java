package io.meshwork.proxy.discovery;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a sidecar registers for its local app: service {@code service} in {@code namespace}, reached at
 * {@code address:port} (the sidecar's inbound listener, so that peers always pass through it), with
 * {@code labels} on the resulting WorkloadEntry.
 *
 * @param labels user labels such as {@code version=v1}; {@code app=<service>} is always added, Istio's
 *     convention for naming a workload's service
 * @param ttl how long the entry outlives the last renewal; whole seconds, 1 s to 1 h
 */
public record Workload(String service, String namespace, String address, int port, Map<String, String> labels,
    Duration ttl) {
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(15);

  public Workload {
    if (service == null || service.isBlank()) {
      throw new IllegalArgumentException("service: " + service + " (expected: a service name)");
    }
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalArgumentException("namespace: " + namespace + " (expected: a namespace)");
    }
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("address: " + address + " (expected: an IP address or host name)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.toSeconds() < 1 || ttl.toSeconds() > 3600 || ttl.toNanosPart() != 0) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: whole seconds, 1s..1h)");
    }
    Map<String, String> all = new TreeMap<>(labels == null ? Map.of() : labels);
    all.put("app", service);
    labels = Map.copyOf(all);
  }

  public long ttlSeconds() {
    return ttl.toSeconds();
  }
}
