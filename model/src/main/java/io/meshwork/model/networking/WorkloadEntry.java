package io.meshwork.model.networking;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import java.util.Map;

/**
 * Istio WorkloadEntry: one instance of a service (a VM, a process on a laptop).
 *
 * @param address an IP or a host name; required
 * @param ports port name to endpoint port, overriding the service ports
 * @param network null when on the default network
 * @param locality "region/zone/subzone", or null
 * @param weight relative load-balancing weight, null means 1
 * @param serviceAccount the SPIFFE service account; null means the service name
 */
public record WorkloadEntry(
    String address,
    Map<String, Integer> ports,
    Map<String, String> labels,
    String network,
    String locality,
    Integer weight,
    String serviceAccount)
    implements Spec {
  public WorkloadEntry {
    ports = Copies.map(ports);
    labels = Copies.map(labels);
  }
}
