package io.meshwork.proxy.outlier;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.balancer.BalancerPolicy;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ejection, its multiplier, the max-ejection share and panic mode, on a manual clock. */
class OutlierDetectorTest {
  private long now = 1_000_000_000L;
  private final List<Endpoint> endpoints = new ArrayList<>();

  private OutlierDetector detector(int endpointCount, OutlierPolicy policy) {
    for (int i = 0; i < endpointCount; i++) {
      endpoints.add(new Endpoint(new InetSocketAddress("127.0.0.1", 9000 + i), Map.of(), 1));
    }
    return new OutlierDetector("outbound|80||svc", endpoints, policy, () -> now);
  }

  private static OutlierPolicy policy(int c5xx, int gateway, int maxPercent, int minHealth) {
    return new OutlierPolicy(c5xx, gateway, Duration.ofSeconds(10), Duration.ofSeconds(30), OutlierPolicy.MAX_EJECTION,
        maxPercent, minHealth);
  }

  private void advance(Duration d) {
    now += d.toNanos();
  }

  private static void fail(OutlierDetector d, Endpoint e, int times, int status) {
    for (int i = 0; i < times; i++) {
      d.attemptEnded(e, status, false);
    }
  }

  @Test
  void consecutive5xxEjectsForTheBaseTimeThenTheEndpointComesBack() {
    OutlierDetector d = detector(4, policy(5, 0, 50, 0));
    Endpoint bad = endpoints.get(0);
    fail(d, bad, 4, 503);
    assertThat(d.isEjected(bad)).isFalse();
    fail(d, bad, 1, 500);
    assertThat(d.isEjected(bad)).isTrue();
    assertThat(d.anyEjected()).isTrue();
    assertThat(d.ejections()).isEqualTo(1);
    assertThat(d.ejectedNow()).containsExactly("127.0.0.1:9000");
    advance(Duration.ofSeconds(29));
    assertThat(d.isEjected(bad)).isTrue();
    advance(Duration.ofSeconds(1));
    assertThat(d.isEjected(bad)).isFalse();
    assertThat(d.anyEjected()).isFalse();
  }

  @Test
  void aSuccessResetsTheCount() {
    OutlierDetector d = detector(2, policy(3, 0, 50, 0));
    Endpoint e = endpoints.get(0);
    fail(d, e, 2, 503);
    d.attemptEnded(e, 200, false);
    fail(d, e, 2, 503);
    assertThat(d.isEjected(e)).isFalse();
    d.attemptEnded(e, 0, true);
    assertThat(d.isEjected(e)).isTrue();
  }

  @Test
  void gatewayErrorsCountOnlyTheGatewayStatuses() {
    OutlierDetector d = detector(4, policy(0, 3, 50, 0));
    Endpoint e = endpoints.get(0);
    fail(d, e, 2, 502);
    fail(d, e, 1, 500);
    fail(d, e, 2, 504);
    assertThat(d.isEjected(e)).isFalse();
    fail(d, e, 1, 503);
    assertThat(d.isEjected(e)).isTrue();
  }

  @Test
  void eachEjectionLastsLongerUpToTheCapAndTheMultiplierDecaysWhileHealthy() {
    OutlierDetector d = detector(2, policy(1, 0, 100, 0));
    Endpoint e = endpoints.get(0);
    long[] expected = {30, 60, 90};
    for (long seconds : expected) {
      fail(d, e, 1, 503);
      advance(Duration.ofSeconds(seconds).minusMillis(1));
      assertThat(d.isEjected(e)).as("ejection of %d s", seconds).isTrue();
      advance(Duration.ofMillis(1));
      assertThat(d.isEjected(e)).isFalse();
    }
    // Two healthy intervals (10 s each) take the multiplier from 3 down to 1: the next one is 2 × 30 s.
    advance(Duration.ofSeconds(20));
    fail(d, e, 1, 503);
    advance(Duration.ofSeconds(59));
    assertThat(d.isEjected(e)).isTrue();
    advance(Duration.ofSeconds(1));
    assertThat(d.isEjected(e)).isFalse();
    // Ten more in a row reach the 300 s cap.
    for (int i = 0; i < 10; i++) {
      fail(d, e, 1, 503);
      advance(Duration.ofSeconds(301));
      assertThat(d.isEjected(e)).isFalse();
    }
    fail(d, e, 1, 503);
    advance(Duration.ofSeconds(299));
    assertThat(d.isEjected(e)).isTrue();
    advance(Duration.ofSeconds(1));
    assertThat(d.isEjected(e)).isFalse();
  }

  @Test
  void maxEjectionPercentBoundsTheEjectedShareButOneMayAlwaysGo() {
    OutlierDetector d = detector(4, policy(1, 0, 50, 0));
    for (Endpoint e : endpoints) {
      fail(d, e, 1, 503);
    }
    assertThat(d.ejectedNow()).hasSize(2);

    endpoints.clear();
    OutlierDetector strict = detector(4, policy(1, 0, 10, 0));
    for (Endpoint e : endpoints) {
      fail(strict, e, 1, 503);
    }
    assertThat(strict.ejectedNow()).hasSize(1);
  }

  @Test
  void belowMinHealthPercentTheClusterPanicsAndBalancesOverAll() {
    OutlierDetector d = detector(4, policy(1, 0, 100, 60));
    fail(d, endpoints.get(0), 1, 503);
    assertThat(d.panic(endpoints)).isFalse();
    fail(d, endpoints.get(1), 1, 503);
    // 2 of 4 healthy is 50 % < 60 %: panic.
    assertThat(d.panic(endpoints)).isTrue();
  }

  @Test
  void aClusterPicksAroundEjectedEndpoints() {
    OutlierDetector d = detector(3, policy(1, 0, 100, 0));
    Cluster c = new Cluster("outbound|80||svc", "svc", "", endpoints,
        new BalancerPolicy.RoundRobin().newBalancer(endpoints), HashPolicy.NONE, UpstreamProtocol.HTTP1,
        ConnectionPoolSettings.DEFAULT, null, null, d);
    fail(d, endpoints.get(1), 1, 503);
    for (int i = 0; i < 30; i++) {
      assertThat(c.pick(0, false, Set.of())).isNotEqualTo(endpoints.get(1));
    }
    fail(d, endpoints.get(0), 1, 503);
    fail(d, endpoints.get(2), 1, 503);
    // Every endpoint ejected and no panic threshold: no healthy upstream (503 UH).
    assertThat(c.pick(0, false, Set.of())).isNull();
  }

  private OutlierPolicy split(int localOrigin) {
    return new OutlierPolicy(5, 0, Duration.ofSeconds(10), Duration.ofSeconds(30), OutlierPolicy.MAX_EJECTION, 50, 0,
        true, localOrigin, null, null);
  }

  @Test
  void splitLocalOriginFailuresCountOnTheirOwnAndAResponseResetsThem() {
    OutlierDetector d = detector(4, split(3));
    Endpoint e = endpoints.get(0);
    d.attemptEnded(e, 0, true);
    d.attemptEnded(e, 0, true);
    d.attemptEnded(e, 503, false);
    assertThat(e.ejection().consecutiveLocalOrigin.get()).as("a response means the connection worked").isZero();
    assertThat(e.ejection().consecutive5xx.get()).as("local failures are no 5xx when split").isEqualTo(1);
    d.attemptEnded(e, 0, true);
    d.attemptEnded(e, 0, true);
    assertThat(d.isEjected(e)).isFalse();
    d.attemptEnded(e, 0, true);
    assertThat(d.isEjected(e)).isTrue();
  }

  @Test
  void failurePercentageEjectsAtTheIntervalOnceEnoughHostsHadTheVolume() {
    OutlierPolicy p = new OutlierPolicy(0, 0, Duration.ofSeconds(10), Duration.ofSeconds(30),
        OutlierPolicy.MAX_EJECTION, 50, 0, false, 5, new OutlierPolicy.FailurePercentage(40, 3, 10), null);
    OutlierDetector d = detector(4, p);
    Endpoint bad = endpoints.get(0);
    for (int i = 0; i < 10; i++) {
      d.attemptEnded(bad, i % 2 == 0 ? 500 : 200, false);
      d.attemptEnded(endpoints.get(1), 200, false);
      d.attemptEnded(endpoints.get(2), i == 0 ? 503 : 200, false);
    }
    assertThat(d.isEjected(bad)).as("nothing is decided before the interval ends").isFalse();
    advance(Duration.ofSeconds(10));
    d.attemptEnded(endpoints.get(3), 200, false);
    assertThat(d.isEjected(bad)).as("50 % failed, at or above 40 %").isTrue();
    assertThat(d.isEjected(endpoints.get(2))).as("10 % failed").isFalse();

    // The next interval starts from zero; two hosts with volume are fewer than the minimum of three.
    for (int i = 0; i < 10; i++) {
      d.attemptEnded(endpoints.get(1), 500, false);
      d.attemptEnded(endpoints.get(2), 200, false);
    }
    advance(Duration.ofSeconds(10));
    d.attemptEnded(endpoints.get(3), 200, false);
    assertThat(d.isEjected(endpoints.get(1))).isFalse();
  }

  @Test
  void successRateEjectsAnOutlierBelowTheMeanLessTheFactorOfStandardDeviations() {
    OutlierPolicy p = new OutlierPolicy(0, 0, Duration.ofSeconds(10), Duration.ofSeconds(30),
        OutlierPolicy.MAX_EJECTION, 50, 0, false, 5, null, new OutlierPolicy.SuccessRate(1.5, 4, 20));
    OutlierDetector d = detector(5, p);
    // Rates 100, 100, 95, 100 and 50 %: mean 89, standard deviation about 19.6, threshold about 59.6 %.
    int[] failures = {0, 0, 1, 0, 10};
    for (int h = 0; h < 5; h++) {
      for (int i = 0; i < 20; i++) {
        d.attemptEnded(endpoints.get(h), i < failures[h] ? 503 : 200, false);
      }
    }
    advance(Duration.ofSeconds(10));
    d.attemptEnded(endpoints.get(0), 200, false);
    assertThat(d.ejectedNow()).containsExactly("127.0.0.1:9004");
  }
}
