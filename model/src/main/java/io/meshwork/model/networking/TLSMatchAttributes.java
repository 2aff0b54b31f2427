package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.List;
import java.util.Map;

/** Istio TLSMatchAttributes: {@code sniHosts} is required. */
public record TLSMatchAttributes(
    List<String> sniHosts,
    List<String> destinationSubnets,
    Integer port,
    Map<String, String> sourceLabels,
    List<String> gateways,
    String sourceNamespace) {
  public TLSMatchAttributes {
    sniHosts = Copies.list(sniHosts);
    destinationSubnets = Copies.list(destinationSubnets);
    sourceLabels = Copies.map(sourceLabels);
    gateways = Copies.list(gateways);
  }
}
