package io.meshwork.proxy.outlier;

import io.meshwork.proxy.cluster.EjectionState;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.EndpointHealth;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster's outlier detection. Counting is lock-free on every event loop; only an ejection
 * (rare) takes the detector's lock, so that {@code maxEjectionPercent} holds across loops. An
 * ejection ends when its time has passed, checked at the next pick (Envoy checks at its next
 * interval sweep, so up to one interval later).
 */
public final class OutlierDetector implements EndpointHealth {
  private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);

  private final String cluster;
  private final List<Endpoint> endpoints;
  private final OutlierPolicy policy;
  private final LongSupplier nanoClock;
  private final AtomicLong ejections = new AtomicLong();
  /** Counts ejections (and ejected endpoints found at start); picks skip every check while it equals {@link #clearedAt}. */
  private final AtomicLong ejectGeneration = new AtomicLong();
  /** The generation up to which every ejection was seen to have ended. */
  private volatile long clearedAt;
  /** When the next interval sweep is due (only with failure-percentage or success-rate detection). */
  private final AtomicLong nextSweep;

  /** @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; a manual clock in tests) */
  public OutlierDetector(String cluster, List<Endpoint> endpoints, OutlierPolicy policy, LongSupplier nanoClock) {
    this.cluster = cluster;
    this.endpoints = List.copyOf(endpoints);
    this.policy = policy;
    this.nanoClock = nanoClock;
    long now = nanoClock.getAsLong();
    this.nextSweep = new AtomicLong(now + policy.interval().toNanos());
    for (Endpoint e : this.endpoints) {
      // An endpoint interned from an earlier snapshot may still be ejected.
      if (e.ejection().isEjected(now)) {
        ejectGeneration.incrementAndGet();
      }
    }
  }

  public OutlierPolicy policy() {
    return policy;
  }

  @Override
  public boolean anyEjected() {
    long generation = ejectGeneration.get();
    if (generation == clearedAt) {
      return false;
    }
    long now = nanoClock.getAsLong();
    for (Endpoint e : endpoints) {
      if (e.ejection().isEjected(now)) {
        return true;
      }
    }
    // Every ejection up to this generation has ended; a later one bumps the generation again.
    if (generation > clearedAt) {
      clearedAt = generation;
    }
    return false;
  }

  @Override
  public boolean isEjected(Endpoint endpoint) {
    return endpoint.ejection().isEjected(nanoClock.getAsLong());
  }

  @Override
  public boolean panic(List<Endpoint> all) {
    if (policy.minHealthPercent() == 0) {
      return false;
    }
    int healthy = 0;
    for (Endpoint e : all) {
      if (!isEjected(e)) {
        healthy++;
      }
    }
    return healthy * 100 < policy.minHealthPercent() * all.size();
  }

  @Override
  public void attemptEnded(Endpoint endpoint, int status, boolean localFailure) {
    EjectionState s = endpoint.ejection();
    if (policy.sweeps()) {
      s.intervalRequests.increment();
      if (localFailure || status >= 500) {
        s.intervalFailures.increment();
      }
      sweepIfDue();
    }
    if (!localFailure && status == 0) {
      return;
    }
    if (localFailure && policy.splitLocalOrigin()) {
      // Envoy with split_external_local_origin_errors: local failures have a counter of their own.
      int n = s.consecutiveLocalOrigin.incrementAndGet();
      if (policy.consecutiveLocalOrigin() > 0 && n >= policy.consecutiveLocalOrigin()) {
        eject(endpoint, n + " consecutive local-origin failures");
      }
      return;
    }
    if (policy.splitLocalOrigin()) {
      // A response means the connection worked (Envoy's LOCAL_ORIGIN_CONNECT_SUCCESS).
      s.consecutiveLocalOrigin.set(0);
    }
    // Envoy without split_external_local_origin_errors (Istio's default) counts a connect failure,
    // reset or timeout as a 5xx and as a gateway error.
    boolean fiveXx = localFailure || status >= 500;
    boolean gateway = localFailure || status == 502 || status == 503 || status == 504;
    if (!fiveXx) {
      s.consecutive5xx.set(0);
      s.consecutiveGateway.set(0);
      return;
    }
    int n5xx = s.consecutive5xx.incrementAndGet();
    int nGateway = gateway ? s.consecutiveGateway.incrementAndGet() : resetGateway(s);
    if (policy.consecutive5xx() > 0 && n5xx >= policy.consecutive5xx()) {
      eject(endpoint, n5xx + " consecutive 5xx");
    } else if (policy.consecutiveGateway() > 0 && nGateway >= policy.consecutiveGateway()) {
      eject(endpoint, nGateway + " consecutive gateway errors");
    }
  }

  /**
   * The interval sweep of failure-percentage and success-rate detection (Envoy's algorithms), run by the first
   * attempt to end after the interval is over, on whichever loop that is; the counts start again afterwards.
   */
  private void sweepIfDue() {
    long now = nanoClock.getAsLong();
    long due = nextSweep.get();
    if (now - due < 0 || !nextSweep.compareAndSet(due, now + policy.interval().toNanos())) {
      return;
    }
    sweep();
  }

  private synchronized void sweep() {
    int n = endpoints.size();
    long[] requests = new long[n];
    long[] failures = new long[n];
    for (int i = 0; i < n; i++) {
      EjectionState s = endpoints.get(i).ejection();
      requests[i] = s.intervalRequests.sumThenReset();
      failures[i] = s.intervalFailures.sumThenReset();
    }
    OutlierPolicy.FailurePercentage fp = policy.failurePercentage();
    if (fp != null && count(requests, fp.requestVolume()) >= fp.minimumHosts()) {
      for (int i = 0; i < n; i++) {
        if (requests[i] >= fp.requestVolume() && failures[i] * 100 >= (long) fp.threshold() * requests[i]) {
          eject(endpoints.get(i), String.format(java.util.Locale.ROOT, "%d of %d requests failed in the interval,"
              + " at or above the failure-percentage threshold of %d %%", failures[i], requests[i], fp.threshold()));
        }
      }
    }
    OutlierPolicy.SuccessRate sr = policy.successRate();
    if (sr != null && count(requests, sr.requestVolume()) >= sr.minimumHosts()) {
      double sum = 0;
      int hosts = 0;
      for (int i = 0; i < n; i++) {
        if (requests[i] >= sr.requestVolume()) {
          sum += rate(requests[i], failures[i]);
          hosts++;
        }
      }
      double mean = sum / hosts;
      double variance = 0;
      for (int i = 0; i < n; i++) {
        if (requests[i] >= sr.requestVolume()) {
          double d = rate(requests[i], failures[i]) - mean;
          variance += d * d;
        }
      }
      double threshold = mean - sr.stdevFactor() * Math.sqrt(variance / hosts);
      for (int i = 0; i < n; i++) {
        double rate = rate(requests[i], failures[i]);
        if (requests[i] >= sr.requestVolume() && rate < threshold) {
          eject(endpoints.get(i), String.format(java.util.Locale.ROOT, "success rate %.1f %% in the interval, below"
              + " the cluster's %.1f %% less %.1f standard deviations", rate, mean, sr.stdevFactor()));
        }
      }
    }
  }

  private static int count(long[] requests, int volume) {
    int hosts = 0;
    for (long r : requests) {
      if (r >= volume) {
        hosts++;
      }
    }
    return hosts;
  }

  private static double rate(long requests, long failures) {
    return 100.0 * (requests - failures) / requests;
  }

  private static int resetGateway(EjectionState s) {
    s.consecutiveGateway.set(0);
    return 0;
  }

  private synchronized void eject(Endpoint endpoint, String reason) {
    // (Reentrant from the sweep, which holds the lock.)
    long now = nanoClock.getAsLong();
    int ejected = 0;
    for (Endpoint e : endpoints) {
      if (e.ejection().isEjected(now)) {
        ejected++;
      }
    }
    if (endpoint.ejection().isEjected(now)) {
      return;
    }
    // Envoy: at most maxEjectionPercent of the cluster, but one endpoint always may be.
    if (ejected > 0 && (ejected + 1) * 100 > policy.maxEjectionPercent() * endpoints.size()) {
      endpoint.ejection().consecutive5xx.set(0);
      endpoint.ejection().consecutiveGateway.set(0);
      return;
    }
    long length = endpoint.ejection().eject(now, policy.baseEjection().toNanos(), policy.maxEjection().toNanos(),
        policy.interval().toNanos());
    if (length < 0) {
      return;
    }
    ejectGeneration.incrementAndGet();
    ejections.incrementAndGet();
    log.warn("outlier detection: ejected {} from {} for {} s ({}, ejection {})", endpoint.authority(), cluster,
        length / 1_000_000_000L, reason, endpoint.ejection().timesEjected());
  }

  /** Ejections made by this cluster since its snapshot was built. */
  public long ejections() {
    return ejections.get();
  }

  /** The endpoints ejected now, for {@code /config}. */
  public List<String> ejectedNow() {
    long now = nanoClock.getAsLong();
    return endpoints.stream().filter(e -> e.ejection().isEjected(now)).map(Endpoint::authority).toList();
  }
}
