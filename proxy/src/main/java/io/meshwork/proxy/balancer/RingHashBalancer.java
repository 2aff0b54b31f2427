package io.meshwork.proxy.balancer;

import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.LoadBalancer;
import io.meshwork.proxy.cluster.PickRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A ketama-style consistent hash ring (Envoy ring_hash semantics): each endpoint owns a number of
 * points proportional to its weight, placed at XXH64("address_index"); a request goes to the first
 * point at or after its hash, wrapping around. Removing an endpoint moves only the keys its points
 * owned, about 1/N of them.
 */
final class RingHashBalancer implements LoadBalancer {
  private final long[] hashes;
  private final int[] owners;

  RingHashBalancer(List<Endpoint> endpoints, long minimumRingSize) {
    int n = endpoints.size();
    long totalWeight = 0;
    int minWeight = Integer.MAX_VALUE;
    for (Endpoint e : endpoints) {
      totalWeight += e.weight();
      minWeight = Math.min(minWeight, e.weight());
    }
    // Like Envoy, the lightest endpoint gets at least its share of minimumRingSize points. Unlike
    // Envoy, that count is rounded up to a power of two: then adding or removing one endpoint rarely
    // changes how many points the others own, and only about 1/N of the keys move.
    long perWeightUnit = nextPowerOfTwo((long) Math.ceil((double) minimumRingSize * minWeight / totalWeight));
    long[] points = new long[n];
    long size = 0;
    for (int i = 0; i < n; i++) {
      points[i] = Math.max(1, Math.round((double) perWeightUnit * endpoints.get(i).weight() / minWeight));
      size += points[i];
    }
    if (size > BalancerPolicy.RingHash.MAXIMUM_RING_SIZE) {
      long scaled = 0;
      for (int i = 0; i < n; i++) {
        points[i] = Math.max(1, points[i] * BalancerPolicy.RingHash.MAXIMUM_RING_SIZE / size);
        scaled += points[i];
      }
      size = scaled;
    }
    long[] pointHashes = new long[(int) size];
    int[] pointOwners = new int[(int) size];
    int count = 0;
    for (int i = 0; i < n; i++) {
      String prefix = endpoints.get(i).authority() + "_";
      for (int index = 0; index < points[i]; index++) {
        pointHashes[count] = XxHash64.hash((prefix + index).getBytes(StandardCharsets.UTF_8), 0);
        pointOwners[count] = i;
        count++;
      }
    }
    sortByHash(pointHashes, pointOwners, count);
    hashes = pointHashes;
    owners = pointOwners;
  }

  private static long nextPowerOfTwo(long x) {
    return x <= 1 ? 1 : Long.highestOneBit(x - 1) << 1;
  }

  int ringSize() {
    return hashes.length;
  }

  /** The ring's point hashes in ring order, for tests. */
  long[] points() {
    return hashes.clone();
  }

  @Override
  public Endpoint pick(List<Endpoint> endpoints, PickRequest request) {
    int n = endpoints.size();
    if (!request.hasHash()) {
      int start = ThreadLocalRandom.current().nextInt(n);
      Endpoint chosen = endpoints.get(start);
      return PreviousHosts.avoidable(request.tried(), chosen, n)
          ? PreviousHosts.firstUntried(endpoints, start, request.tried(), chosen)
          : chosen;
    }
    int slot = firstAtOrAfter(request.hash());
    Endpoint chosen = endpoints.get(owners[slot]);
    // A retry walks the ring to the next endpoint that was not tried yet, as Envoy does.
    for (int k = 1; k < hashes.length && PreviousHosts.avoidable(request.tried(), chosen, n); k++) {
      chosen = endpoints.get(owners[(slot + k) % hashes.length]);
    }
    return chosen;
  }

  private int firstAtOrAfter(long hash) {
    int lo = 0;
    int hi = hashes.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(hashes[mid], hash) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == hashes.length ? 0 : lo;
  }

  /**
   * Sorts both arrays by unsigned hash, ties by owner so the ring does not depend on insertion order.
   * An in-place heap sort: rings reach millions of points with skewed weights, and parallel primitive
   * arrays avoid allocating an object per point.
   */
  private static void sortByHash(long[] hashes, int[] owners, int count) {
    for (int i = count / 2 - 1; i >= 0; i--) {
      siftDown(hashes, owners, i, count);
    }
    for (int end = count - 1; end > 0; end--) {
      swap(hashes, owners, 0, end);
      siftDown(hashes, owners, 0, end);
    }
  }

  private static void siftDown(long[] hashes, int[] owners, int i, int size) {
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        return;
      }
      if (child + 1 < size && greater(hashes, owners, child + 1, child)) {
        child++;
      }
      if (!greater(hashes, owners, child, i)) {
        return;
      }
      swap(hashes, owners, i, child);
      i = child;
    }
  }

  private static boolean greater(long[] hashes, int[] owners, int a, int b) {
    int c = Long.compareUnsigned(hashes[a], hashes[b]);
    return c > 0 || (c == 0 && owners[a] > owners[b]);
  }

  private static void swap(long[] hashes, int[] owners, int a, int b) {
    long h = hashes[a];
    hashes[a] = hashes[b];
    hashes[b] = h;
    int o = owners[a];
    owners[a] = owners[b];
    owners[b] = o;
  }
}
