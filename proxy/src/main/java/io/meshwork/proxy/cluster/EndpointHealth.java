package io.meshwork.proxy.cluster;

import java.util.List;

/**
 * What a cluster knows of its endpoints' health from the attempts it sees (outlier detection):
 * which endpoints are ejected, and each attempt's outcome. Safe to call from every event loop.
 */
public interface EndpointHealth {
  /** No detection: every endpoint is always in, and nothing is observed. */
  EndpointHealth ALL_IN = new EndpointHealth() {
    @Override
    public boolean anyEjected() {
      return false;
    }

    @Override
    public boolean isEjected(Endpoint endpoint) {
      return false;
    }

    @Override
    public boolean panic(List<Endpoint> endpoints) {
      return false;
    }

    @Override
    public void attemptEnded(Endpoint endpoint, int status, boolean localFailure) {}
  };

  /** Whether any endpoint may be ejected now; false lets a pick skip every other check. */
  boolean anyEjected();

  boolean isEjected(Endpoint endpoint);

  /** Whether too few endpoints are healthy, so the cluster balances over all of them (Envoy's panic mode). */
  boolean panic(List<Endpoint> endpoints);

  /**
   * One attempt at {@code endpoint} ended.
   *
   * @param status the response status, or 0 when none arrived
   * @param localFailure whether it failed without a response (connect failure, reset, per-try timeout)
   */
  void attemptEnded(Endpoint endpoint, int status, boolean localFailure);
}
