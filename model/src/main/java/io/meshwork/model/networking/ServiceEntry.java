package io.meshwork.model.networking;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import java.util.List;

/**
 * Istio ServiceEntry: adds a service to the registry, external or internal.
 *
 * @param location null means MESH_EXTERNAL (Istio's default)
 * @param resolution null means NONE
 * @param workloadSelector selects WorkloadEntries instead of listing {@code endpoints}, or null
 */
public record ServiceEntry(
    List<String> hosts,
    List<String> addresses,
    List<ServicePort> ports,
    Location location,
    Resolution resolution,
    List<WorkloadEntry> endpoints,
    LabelSelector workloadSelector,
    List<String> exportTo,
    List<String> subjectAltNames)
    implements Spec {
  public enum Location {
    MESH_EXTERNAL,
    MESH_INTERNAL
  }

  public enum Resolution {
    NONE,
    STATIC,
    DNS,
    DNS_ROUND_ROBIN
  }

  public ServiceEntry {
    hosts = Copies.list(hosts);
    addresses = Copies.list(addresses);
    ports = Copies.list(ports);
    endpoints = Copies.list(endpoints);
    exportTo = Copies.list(exportTo);
    subjectAltNames = Copies.list(subjectAltNames);
  }
}
