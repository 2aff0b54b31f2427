package io.meshwork.proxy.balancer;

import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.LoadBalancer;
import io.meshwork.proxy.cluster.PickRequest;
import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Weighted round robin. The schedule is computed once with the smooth weighted round-robin rule
 * (each step every endpoint gains its weight, the richest is picked and pays the total), which
 * interleaves heavy endpoints with light ones; picks then only bump one shared counter, so every
 * event loop can pick without locks.
 */
final class RoundRobinBalancer implements LoadBalancer {
  /** Bounds the schedule's memory; larger weight sums are scaled down proportionally. */
  static final int MAX_SCHEDULE = 1 << 16;

  private final int[] schedule;
  private final AtomicInteger next;

  RoundRobinBalancer(List<Endpoint> endpoints) {
    schedule = schedule(endpoints);
    // A random start keeps many proxies from sending their first requests to the same endpoint.
    next = new AtomicInteger(ThreadLocalRandom.current().nextInt(schedule.length));
  }

  @Override
  public Endpoint pick(List<Endpoint> endpoints, PickRequest request) {
    int n = endpoints.size();
    Endpoint chosen = endpoints.get(schedule[Math.floorMod(next.getAndIncrement(), schedule.length)]);
    for (int k = 0; k < n && PreviousHosts.avoidable(request.tried(), chosen, n); k++) {
      chosen = endpoints.get(schedule[Math.floorMod(next.getAndIncrement(), schedule.length)]);
    }
    return chosen;
  }

  static int[] schedule(List<Endpoint> endpoints) {
    int n = endpoints.size();
    long[] weights = new long[n];
    long gcd = 0;
    long total = 0;
    for (int i = 0; i < n; i++) {
      weights[i] = endpoints.get(i).weight();
      gcd = BigInteger.valueOf(gcd).gcd(BigInteger.valueOf(weights[i])).longValue();
    }
    for (int i = 0; i < n; i++) {
      weights[i] /= gcd;
      total += weights[i];
    }
    if (total > Math.max(MAX_SCHEDULE, n)) {
      long scaledTotal = 0;
      for (int i = 0; i < n; i++) {
        weights[i] = Math.max(1, weights[i] * MAX_SCHEDULE / total);
        scaledTotal += weights[i];
      }
      total = scaledTotal;
    }
    int[] out = new int[(int) total];
    if (total == n) {
      // Equal weights: plain rotation, and no O(total * n) pass for large clusters.
      for (int i = 0; i < n; i++) {
        out[i] = i;
      }
      return out;
    }
    long[] current = new long[n];
    for (int step = 0; step < out.length; step++) {
      int best = 0;
      for (int i = 0; i < n; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      out[step] = best;
    }
    return out;
  }
}
