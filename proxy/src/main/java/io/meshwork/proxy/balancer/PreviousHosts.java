package io.meshwork.proxy.balancer;

import io.meshwork.proxy.cluster.Endpoint;
import java.util.List;
import java.util.Set;

/**
 * Envoy's "previous hosts" retry host predicate, which Istio enables for every route: a retry
 * avoids the endpoints earlier attempts used, unless every endpoint has been tried.
 */
final class PreviousHosts {
  /** Envoy's host_selection_retry_max_attempts as Istio configures it. */
  static final int REPICK_ATTEMPTS = 5;

  private PreviousHosts() {}

  static boolean avoidable(Set<Endpoint> tried, Endpoint chosen, int endpointCount) {
    return !tried.isEmpty() && tried.contains(chosen) && tried.size() < endpointCount;
  }

  /** The first endpoint from {@code start} on (wrapping) not in {@code tried}, or {@code fallback}. */
  static Endpoint firstUntried(List<Endpoint> endpoints, int start, Set<Endpoint> tried, Endpoint fallback) {
    int n = endpoints.size();
    for (int k = 0; k < n; k++) {
      Endpoint e = endpoints.get((start + k) % n);
      if (!tried.contains(e)) {
        return e;
      }
    }
    return fallback;
  }
}
