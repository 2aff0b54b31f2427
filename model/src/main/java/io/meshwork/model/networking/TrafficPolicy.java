package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.List;

/** Istio TrafficPolicy; each part is null when absent. */
public record TrafficPolicy(
    LoadBalancerSettings loadBalancer,
    ConnectionPoolSettings connectionPool,
    OutlierDetection outlierDetection,
    ClientTLSSettings tls,
    List<PortTrafficPolicy> portLevelSettings,
    RetryBudget retryBudget) {
  public TrafficPolicy {
    portLevelSettings = Copies.list(portLevelSettings);
  }
}
