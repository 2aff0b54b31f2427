package io.meshwork.proxy.balancer;

import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.LoadBalancer;
import io.meshwork.proxy.cluster.PickRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016, §3.4). Each endpoint walks its own permutation of the table's slots,
 * {@code (offset + j * skip) mod M} with M prime, and the endpoints take turns claiming their next
 * free slot until the table is full. Lookups are one array read; removing an endpoint changes only
 * a small share of slots beyond the ones it owned (the paper's minimal disruption property).
 *
 * <p>Weights are honoured as in Envoy's weighted Maglev: an endpoint's turn comes in proportion to
 * its weight relative to the heaviest one.
 */
final class MaglevBalancer implements LoadBalancer {
  private final int[] table;

  MaglevBalancer(List<Endpoint> endpoints, int tableSize) {
    int n = endpoints.size();
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] nextIndex = new long[n];
    double[] credit = new double[n];
    int maxWeight = 1;
    for (int i = 0; i < n; i++) {
      byte[] name = endpoints.get(i).authority().getBytes(StandardCharsets.UTF_8);
      offset[i] = Long.remainderUnsigned(XxHash64.hash(name, 0), tableSize);
      skip[i] = Long.remainderUnsigned(XxHash64.hash(name, 1), tableSize - 1) + 1;
      maxWeight = Math.max(maxWeight, endpoints.get(i).weight());
    }
    int[] entries = new int[tableSize];
    Arrays.fill(entries, -1);
    int filled = 0;
    while (filled < tableSize) {
      for (int i = 0; i < n && filled < tableSize; i++) {
        credit[i] += (double) endpoints.get(i).weight() / maxWeight;
        if (credit[i] < 1) {
          continue;
        }
        credit[i] -= 1;
        int slot;
        do {
          slot = (int) ((offset[i] + nextIndex[i] * skip[i]) % tableSize);
          nextIndex[i]++;
        } while (entries[slot] >= 0);
        entries[slot] = i;
        filled++;
      }
    }
    table = entries;
  }

  @Override
  public Endpoint pick(List<Endpoint> endpoints, PickRequest request) {
    int n = endpoints.size();
    int slot = request.hasHash()
        ? (int) Long.remainderUnsigned(request.hash(), table.length)
        : ThreadLocalRandom.current().nextInt(table.length);
    Endpoint chosen = endpoints.get(table[slot]);
    for (int k = 1; k < table.length && PreviousHosts.avoidable(request.tried(), chosen, n); k++) {
      chosen = endpoints.get(table[(slot + k) % table.length]);
    }
    return chosen;
  }

  /** The endpoint index per slot, for tests of the table's balance and disruption. */
  int[] table() {
    return table.clone();
  }
}
