package io.meshwork.proxy.balancer;

import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.LoadBalancer;
import io.meshwork.proxy.cluster.PickRequest;
import java.util.List;

/**
 * Holds a policy's tables for the list they were built from. A caller normally passes that same
 * list (an identity check); when it passes another one, e.g. after outlier ejection narrowed the
 * healthy set, the tables are rebuilt once for it and kept until the list changes again.
 */
final class ListBoundBalancer implements LoadBalancer {
  private final BalancerPolicy policy;
  private volatile Bound bound;

  private record Bound(List<Endpoint> endpoints, LoadBalancer balancer) {}

  ListBoundBalancer(BalancerPolicy policy, List<Endpoint> endpoints) {
    this.policy = policy;
    this.bound = new Bound(List.copyOf(endpoints), build(policy, endpoints));
  }

  @Override
  public Endpoint pick(List<Endpoint> endpoints, PickRequest request) {
    Bound b = bound;
    if (b.endpoints != endpoints && !b.endpoints.equals(endpoints)) {
      b = new Bound(List.copyOf(endpoints), build(policy, endpoints));
      bound = b;
    }
    return b.balancer.pick(b.endpoints, request);
  }

  private static LoadBalancer build(BalancerPolicy policy, List<Endpoint> endpoints) {
    // A cluster without endpoints never reaches its balancer (Cluster.pick answers null first).
    return endpoints.isEmpty() ? (list, request) -> null : policy.buildFor(endpoints);
  }

  BalancerPolicy policy() {
    return policy;
  }

  @Override
  public String toString() {
    return policy.describe();
  }
}
