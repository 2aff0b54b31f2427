package io.meshwork.proxy.balancer;

import static io.meshwork.proxy.balancer.BalancerTestSupport.endpoint;
import static io.meshwork.proxy.balancer.BalancerTestSupport.endpoints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.LoadBalancer;
import io.meshwork.proxy.cluster.PickRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WeightedBalancersTest {
  private static final int PICKS = 10_000;

  private static Map<Endpoint, Integer> distribution(LoadBalancer lb, List<Endpoint> endpoints) {
    Map<Endpoint, Integer> counts = new HashMap<>();
    for (int i = 0; i < PICKS; i++) {
      counts.merge(lb.pick(endpoints, PickRequest.FIRST), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void roundRobinHonoursWeightsExactlyOverWholeCycles() {
    List<Endpoint> eps = List.of(endpoint(1, 5), endpoint(2, 3), endpoint(3, 2));
    LoadBalancer lb = new BalancerPolicy.RoundRobin().newBalancer(eps);
    Map<Endpoint, Integer> counts = distribution(lb, eps);
    // 10 000 picks are exactly 1 000 cycles of the 10-slot schedule.
    assertThat(counts).containsEntry(eps.get(0), 5000).containsEntry(eps.get(1), 3000).containsEntry(eps.get(2), 2000);
  }

  @Test
  void roundRobinInterleavesHeavyEndpoints() {
    List<Endpoint> eps = List.of(endpoint(1, 4), endpoint(2, 1));
    int[] schedule = RoundRobinBalancer.schedule(eps);
    assertThat(schedule).hasSize(5);
    // Smooth WRR never gives the light endpoint two slots in a row and spreads the heavy one.
    assertThat(schedule).containsOnlyOnce(1);
    assertThat(schedule[0]).isEqualTo(0);
  }

  @Test
  void roundRobinWithEqualWeightsRotates() {
    List<Endpoint> eps = endpoints(3);
    LoadBalancer lb = new BalancerPolicy.RoundRobin().newBalancer(eps);
    Endpoint a = lb.pick(eps, PickRequest.FIRST);
    Endpoint b = lb.pick(eps, PickRequest.FIRST);
    Endpoint c = lb.pick(eps, PickRequest.FIRST);
    assertThat(Set.of(a, b, c)).hasSize(3);
    assertThat(lb.pick(eps, PickRequest.FIRST)).isEqualTo(a);
  }

  @Test
  void randomHonoursWeightsWithinTolerance() {
    List<Endpoint> eps = List.of(endpoint(1, 7), endpoint(2, 2), endpoint(3, 1));
    Map<Endpoint, Integer> counts = distribution(new BalancerPolicy.Random().newBalancer(eps), eps);
    assertThat(counts.get(eps.get(0))).isBetween(6700, 7300);
    assertThat(counts.get(eps.get(1))).isBetween(1750, 2250);
    assertThat(counts.get(eps.get(2))).isBetween(800, 1200);
  }

  @Test
  void leastRequestPrefersTheLessLoadedEndpoint() {
    List<Endpoint> eps = endpoints(2);
    for (int i = 0; i < 10; i++) {
      eps.get(0).requestStarted();
    }
    Map<Endpoint, Integer> counts = distribution(BalancerPolicy.DEFAULT.newBalancer(eps), eps);
    // With two endpoints, P2C picks the busy one only when both samples land on it (~1/4).
    assertThat(counts.get(eps.get(1))).isBetween(7100, 7900);
  }

  @Test
  void leastRequestSpreadsEvenlyWhenIdle() {
    List<Endpoint> eps = endpoints(4);
    Map<Endpoint, Integer> counts = distribution(new BalancerPolicy.LeastRequest(2).newBalancer(eps), eps);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(2200, 2800));
  }

  @Test
  void leastRequestWithManyChoicesAlmostAlwaysFindsTheIdleEndpoint() {
    List<Endpoint> eps = endpoints(3);
    eps.get(0).requestStarted();
    eps.get(1).requestStarted();
    Map<Endpoint, Integer> counts = distribution(new BalancerPolicy.LeastRequest(8).newBalancer(eps), eps);
    // Eight samples all miss the idle endpoint with probability (2/3)^8, about 4 %.
    assertThat(counts.get(eps.get(2))).isGreaterThan(9_400);
  }

  @Test
  void everyPolicyAvoidsTriedHostsOnRetry() {
    List<Endpoint> eps = endpoints(3);
    Set<Endpoint> tried = Set.of(eps.get(0), eps.get(1));
    for (BalancerPolicy policy : List.of(new BalancerPolicy.RoundRobin(), new BalancerPolicy.Random(),
        BalancerPolicy.DEFAULT, new BalancerPolicy.RingHash(1024), new BalancerPolicy.Maglev(65537))) {
      LoadBalancer lb = policy.newBalancer(eps);
      for (int i = 0; i < 200; i++) {
        PickRequest retry = new PickRequest(RequestHash.of("key-" + i), i % 2 == 0, tried);
        assertThat(lb.pick(eps, retry)).as(policy.describe()).isEqualTo(eps.get(2));
      }
    }
  }

  @Test
  void leastRequestPrefersAnUntriedHostEvenWhenItIsBusier() {
    List<Endpoint> eps = endpoints(2);
    for (int i = 0; i < 50; i++) {
      eps.get(1).requestStarted();
    }
    LoadBalancer lb = BalancerPolicy.DEFAULT.newBalancer(eps);
    for (int i = 0; i < 100; i++) {
      assertThat(lb.pick(eps, PickRequest.FIRST.retry(Set.of(eps.get(0))))).isEqualTo(eps.get(1));
    }
  }

  @Test
  void everyPolicyFallsBackToAnyHostWhenAllWereTried() {
    List<Endpoint> eps = endpoints(2);
    Set<Endpoint> tried = Set.copyOf(eps);
    for (BalancerPolicy policy : List.of(new BalancerPolicy.RoundRobin(), new BalancerPolicy.Random(),
        BalancerPolicy.DEFAULT, new BalancerPolicy.RingHash(16), new BalancerPolicy.Maglev(251))) {
      Endpoint e = policy.newBalancer(eps).pick(eps, new PickRequest(42, true, tried));
      assertThat(eps).as(policy.describe()).contains(e);
    }
  }

  @Test
  void aDifferentEndpointListIsHonoured() {
    List<Endpoint> all = endpoints(3);
    List<Endpoint> healthy = List.of(all.get(2));
    for (BalancerPolicy policy : List.of(new BalancerPolicy.RoundRobin(), new BalancerPolicy.Random(),
        BalancerPolicy.DEFAULT, new BalancerPolicy.RingHash(64), new BalancerPolicy.Maglev(251))) {
      LoadBalancer lb = policy.newBalancer(all);
      assertThat(lb.pick(healthy, PickRequest.hashed(7))).as(policy.describe()).isEqualTo(all.get(2));
    }
  }

  @Test
  void policiesValidateTheirParameters() {
    assertThatThrownBy(() -> new BalancerPolicy.Maglev(65536))
        .hasMessage("tableSize: 65536 (expected: a prime number)");
    assertThatThrownBy(() -> new BalancerPolicy.RingHash(0))
        .hasMessage("minimumRingSize: 0 (expected: 1..8388608)");
    assertThatThrownBy(() -> new BalancerPolicy.LeastRequest(1))
        .hasMessage("choiceCount: 1 (expected: >= 2)");
  }
}
