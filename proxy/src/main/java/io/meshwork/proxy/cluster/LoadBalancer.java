package io.meshwork.proxy.cluster;

import java.util.List;

/**
 * Picks one endpoint of a cluster for one attempt of a request. Implementations are built once
 * per snapshot for a fixed endpoint list and must be safe to call from every event loop.
 */
public interface LoadBalancer {

  /**
   * @param endpoints the healthy endpoints, never empty
   * @param request what the policy may look at: the hash key and the hosts already tried
   * @return the chosen endpoint; one in {@code request.tried()} only when no other exists
   */
  Endpoint pick(List<Endpoint> endpoints, PickRequest request);
}
