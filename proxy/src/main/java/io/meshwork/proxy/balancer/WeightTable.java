package io.meshwork.proxy.balancer;

import io.meshwork.proxy.cluster.Endpoint;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Cumulative endpoint weights for weighted random sampling in O(log n), uniform sampling when all weights agree. */
final class WeightTable {
  private final long[] cumulative;
  private final long total;
  private final boolean uniform;

  WeightTable(List<Endpoint> endpoints) {
    cumulative = new long[endpoints.size()];
    long sum = 0;
    boolean same = true;
    for (int i = 0; i < cumulative.length; i++) {
      int w = endpoints.get(i).weight();
      same &= w == endpoints.get(0).weight();
      sum += w;
      cumulative[i] = sum;
    }
    total = sum;
    uniform = same;
  }

  /** A weighted random index. */
  int sample(ThreadLocalRandom random) {
    if (uniform) {
      return random.nextInt(cumulative.length);
    }
    long r = random.nextLong(total);
    int i = Arrays.binarySearch(cumulative, r);
    // cumulative[i] is the exclusive upper bound of endpoint i's range [cumulative[i-1], cumulative[i]).
    return i >= 0 ? i + 1 : -i - 1;
  }
}
