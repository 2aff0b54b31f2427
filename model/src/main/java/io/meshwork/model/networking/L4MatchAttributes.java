package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.List;
import java.util.Map;

/** Istio L4MatchAttributes for TCP routes. */
public record L4MatchAttributes(
    List<String> destinationSubnets,
    Integer port,
    Map<String, String> sourceLabels,
    List<String> gateways,
    String sourceNamespace) {
  public L4MatchAttributes {
    destinationSubnets = Copies.list(destinationSubnets);
    sourceLabels = Copies.map(sourceLabels);
    gateways = Copies.list(gateways);
  }
}
