package io.meshwork.proxy.balancer;

import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.LoadBalancer;
import io.meshwork.proxy.cluster.PickRequest;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Picks an endpoint at random, in proportion to its weight. */
final class RandomBalancer implements LoadBalancer {
  private final WeightTable weights;

  RandomBalancer(List<Endpoint> endpoints) {
    weights = new WeightTable(endpoints);
  }

  @Override
  public Endpoint pick(List<Endpoint> endpoints, PickRequest request) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int n = endpoints.size();
    Endpoint chosen = endpoints.get(weights.sample(random));
    for (int k = 0; k < PreviousHosts.REPICK_ATTEMPTS && PreviousHosts.avoidable(request.tried(), chosen, n); k++) {
      chosen = endpoints.get(weights.sample(random));
    }
    if (PreviousHosts.avoidable(request.tried(), chosen, n)) {
      return PreviousHosts.firstUntried(endpoints, random.nextInt(n), request.tried(), chosen);
    }
    return chosen;
  }
}
