package io.meshwork.proxy.balancer;

import static io.meshwork.proxy.balancer.BalancerTestSupport.endpoint;
import static io.meshwork.proxy.balancer.BalancerTestSupport.endpoints;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.LoadBalancer;
import io.meshwork.proxy.cluster.PickRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ConsistentHashBalancersTest {
  private static final int KEYS = 10_000;

  static Stream<Arguments> policies() {
    return Stream.of(
        Arguments.of(new BalancerPolicy.RingHash(BalancerPolicy.RingHash.DEFAULT_MINIMUM_RING_SIZE)),
        Arguments.of(new BalancerPolicy.Maglev(BalancerPolicy.Maglev.DEFAULT_TABLE_SIZE)));
  }

  private static Endpoint pick(LoadBalancer lb, List<Endpoint> eps, String key) {
    return lb.pick(eps, PickRequest.hashed(RequestHash.of(key)));
  }

  @ParameterizedTest
  @MethodSource("policies")
  void sameKeySameEndpointAcrossInstances(BalancerPolicy policy) {
    List<Endpoint> eps = endpoints(5);
    LoadBalancer a = policy.newBalancer(eps);
    // A second balancer over equal endpoints stands in for another process: the mapping is stable.
    LoadBalancer b = policy.newBalancer(endpoints(5));
    for (int i = 0; i < 1000; i++) {
      String key = "user-" + i;
      assertThat(pick(a, eps, key)).isEqualTo(pick(a, eps, key)).isEqualTo(pick(b, eps, key));
    }
  }

  @ParameterizedTest
  @MethodSource("policies")
  void keysSpreadAcrossEndpoints(BalancerPolicy policy) {
    List<Endpoint> eps = endpoints(5);
    LoadBalancer lb = policy.newBalancer(eps);
    Map<Endpoint, Integer> counts = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      counts.merge(pick(lb, eps, "session-" + i), 1, Integer::sum);
    }
    assertThat(counts).hasSize(5);
    // Each endpoint's expected share is 2000; ring hash with 1024 points varies more than Maglev.
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(1400, 2600));
  }

  @ParameterizedTest
  @MethodSource("policies")
  void removingOneEndpointRemapsAboutOneNthOfKeys(BalancerPolicy policy) {
    List<Endpoint> eps = endpoints(10);
    List<Endpoint> fewer = new ArrayList<>(eps);
    Endpoint removed = fewer.remove(4);
    LoadBalancer before = policy.newBalancer(eps);
    LoadBalancer after = policy.newBalancer(fewer);
    int moved = 0;
    int movedFromSurvivors = 0;
    for (int i = 0; i < KEYS; i++) {
      String key = "k" + i;
      Endpoint was = pick(before, eps, key);
      Endpoint now = pick(after, fewer, key);
      if (!was.equals(now)) {
        moved++;
        if (!was.equals(removed)) {
          movedFromSurvivors++;
        }
      }
    }
    // The removed endpoint's keys (~1/10) must move; keys of survivors (almost) stay put.
    assertThat(moved).isBetween(KEYS / 10 - 400, KEYS / 10 + 400 + KEYS / 50);
    assertThat(movedFromSurvivors).isLessThan(KEYS / 50);
  }

  @ParameterizedTest
  @MethodSource("policies")
  void withoutAHashKeyRequestsSpreadRandomly(BalancerPolicy policy) {
    List<Endpoint> eps = endpoints(3);
    LoadBalancer lb = policy.newBalancer(eps);
    Map<Endpoint, Integer> counts = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      counts.merge(lb.pick(eps, PickRequest.FIRST), 1, Integer::sum);
    }
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(800, 1200));
  }

  @ParameterizedTest
  @MethodSource("policies")
  void weightsShiftTheShareOfKeys(BalancerPolicy policy) {
    List<Endpoint> eps = List.of(endpoint(1, 3), endpoint(2, 1));
    LoadBalancer lb = policy.newBalancer(eps);
    int heavy = 0;
    for (int i = 0; i < KEYS; i++) {
      if (pick(lb, eps, "w" + i).equals(eps.get(0))) {
        heavy++;
      }
    }
    assertThat(heavy).isBetween(6800, 8200);
  }

  @Test
  void ringHasAtLeastTheMinimumSize() {
    // Points per weight unit round up to a power of two: 3 x 512 and 16 + 9 x 16.
    assertThat(new RingHashBalancer(endpoints(3), 1024).ringSize()).isEqualTo(1536);
    assertThat(new RingHashBalancer(List.of(endpoint(1, 1), endpoint(2, 9)), 100).ringSize()).isEqualTo(160);
  }

  @Test
  void largeRingsAreSortedAndHonourWeights() {
    List<Endpoint> eps = List.of(endpoint(1, 1), endpoint(2, 3));
    RingHashBalancer ring = new RingHashBalancer(eps, 200_000);
    // 2^16 points per weight unit: 65 536 + 196 608.
    assertThat(ring.ringSize()).isEqualTo(262_144);
    long[] points = ring.points();
    for (int i = 1; i < points.length; i++) {
      assertThat(Long.compareUnsigned(points[i - 1], points[i])).isLessThanOrEqualTo(0);
    }
    int light = 0;
    for (int i = 0; i < KEYS; i++) {
      if (ring.pick(eps, PickRequest.hashed(RequestHash.of("s" + i))).equals(eps.get(0))) {
        light++;
      }
    }
    assertThat(light).isBetween(2200, 2800);
  }

  @Test
  void maglevTableIsBalanced() {
    int[] table = new MaglevBalancer(endpoints(7), 65537).table();
    int[] counts = new int[7];
    for (int owner : table) {
      counts[owner]++;
    }
    // The paper's population gives every endpoint floor(M/N) or ceil(M/N) slots when weights are equal.
    for (int c : counts) {
      assertThat(c).isBetween(65537 / 7 - 1, 65537 / 7 + 1);
    }
  }
}
