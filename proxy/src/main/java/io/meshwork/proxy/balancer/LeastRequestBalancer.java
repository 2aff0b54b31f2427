package io.meshwork.proxy.balancer;

import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.LoadBalancer;
import io.meshwork.proxy.cluster.PickRequest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of N choices on {@link Endpoint#activeRequests()}: sample N endpoints by weight and keep the
 * one with the least load per unit of weight. Sampling several instead of scanning all keeps the cost
 * constant and avoids every proxy herding onto the same momentarily idle endpoint.
 */
final class LeastRequestBalancer implements LoadBalancer {
  private final WeightTable weights;
  private final int choiceCount;

  LeastRequestBalancer(List<Endpoint> endpoints, int choiceCount) {
    this.weights = new WeightTable(endpoints);
    this.choiceCount = choiceCount;
  }

  @Override
  public Endpoint pick(List<Endpoint> endpoints, PickRequest request) {
    int n = endpoints.size();
    if (n == 1) {
      return endpoints.get(0);
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Set<Endpoint> tried = request.tried();
    boolean avoid = !tried.isEmpty() && tried.size() < n;
    Set<Endpoint> avoided = avoid ? tried : Set.of();
    Endpoint best = null;
    for (int c = 0; c < choiceCount; c++) {
      Endpoint candidate = sampleUntried(endpoints, random, avoided);
      if (best == null || better(candidate, best, avoided)) {
        best = candidate;
      }
    }
    if (avoid && tried.contains(best)) {
      return PreviousHosts.firstUntried(endpoints, random.nextInt(n), tried, best);
    }
    return best;
  }

  private Endpoint sampleUntried(List<Endpoint> endpoints, ThreadLocalRandom random, Set<Endpoint> tried) {
    Endpoint e = endpoints.get(weights.sample(random));
    for (int k = 0; k < PreviousHosts.REPICK_ATTEMPTS && tried.contains(e); k++) {
      e = endpoints.get(weights.sample(random));
    }
    return e;
  }

  /** An untried endpoint beats a tried one; otherwise the less loaded wins. */
  private static boolean better(Endpoint a, Endpoint b, Set<Endpoint> avoided) {
    boolean aAvoided = avoided.contains(a);
    if (aAvoided != avoided.contains(b)) {
      return !aAvoided;
    }
    return lessLoaded(a, b);
  }

  /** Compares (active + 1) / weight without division: a has less load than b. */
  private static boolean lessLoaded(Endpoint a, Endpoint b) {
    return (long) (a.activeRequests() + 1) * b.weight() < (long) (b.activeRequests() + 1) * a.weight();
  }
}
