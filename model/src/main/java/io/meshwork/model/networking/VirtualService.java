package io.meshwork.model.networking;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import java.util.List;

/**
 * Istio VirtualService: the routing rules for a set of hosts. Routes are tried in order; the first
 * match wins.
 *
 * @param hosts required; short names resolve in the resource's namespace
 * @param gateways empty means the sidecars of the mesh ("mesh")
 */
public record VirtualService(
    List<String> hosts,
    List<String> gateways,
    List<HTTPRoute> http,
    List<TCPRoute> tcp,
    List<TLSRoute> tls,
    List<String> exportTo)
    implements Spec {
  public VirtualService {
    hosts = Copies.list(hosts);
    gateways = Copies.list(gateways);
    http = Copies.list(http);
    tcp = Copies.list(tcp);
    tls = Copies.list(tls);
    exportTo = Copies.list(exportTo);
  }
}
