package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.List;
import java.util.Map;

/** Istio LocalityLoadBalancerSetting: at most one of {@code distribute} and {@code failover}. */
public record LocalityLoadBalancerSetting(
    List<Distribute> distribute, List<Failover> failover, List<String> failoverPriority, Boolean enabled) {
  public LocalityLoadBalancerSetting {
    distribute = Copies.list(distribute);
    failover = Copies.list(failover);
    failoverPriority = Copies.list(failoverPriority);
  }

  /** Traffic from locality {@code from} is spread over {@code to} (locality to weight, summing to 100). */
  public record Distribute(String from, Map<String, Integer> to) {
    public Distribute {
      to = Copies.map(to);
    }
  }

  /** When {@code from}'s endpoints are unhealthy, traffic goes to region {@code to}. */
  public record Failover(String from, String to) {}
}
