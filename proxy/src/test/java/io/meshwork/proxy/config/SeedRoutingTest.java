package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.retry.RetryOn;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.route.RouteDecision;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The acceptance case: seed 004's Istio YAML, unchanged, plus workloads for product-service v1 and v2. */
class SeedRoutingTest {
  private static final String V1 = "outbound|80|v1|product-service.default.svc.cluster.local";
  private static final String V2 = "outbound|80|v2|product-service.default.svc.cluster.local";
  private static MeshSnapshot snapshot;

  @BeforeAll
  static void compile() {
    snapshot = new SnapshotCompiler().compile(1,
        Resources.classpath("seed-004.yaml", "product-workloads.yaml"), new LocalService("order-service", "default"));
  }

  private static HttpRequest request(boolean canary) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/products/1");
    r.headers().set("host", "product-service");
    if (canary) {
      r.headers().set("x-canary", "true");
    }
    return r;
  }

  private static RouteDecision.Matched route(boolean canary, double random) {
    return (RouteDecision.Matched) snapshot.outbound().route(request(canary), "product-service", 0, "/api/products/1", random);
  }

  @Test
  void canaryHeaderGoesToV2() {
    for (double r : new double[] {0.0, 0.5, 0.95}) {
      assertThat(route(true, r).cluster().name()).isEqualTo(V2);
    }
  }

  @Test
  void otherRequestsSplitNinetyTen() {
    Random random = new Random(2026);
    int v2 = 0;
    for (int i = 0; i < 10_000; i++) {
      if (route(false, random.nextDouble()).cluster().name().equals(V2)) {
        v2++;
      }
    }
    assertThat(v2).isBetween(880, 1120);
  }

  @Test
  void retriesAndTimeoutFollowTheSecondRoute() {
    RouteAction.Forward f = (RouteAction.Forward) route(false, 0.1).route().action();
    assertThat(f.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(f.retries().attempts()).isEqualTo(3);
    assertThat(f.retries().perTryTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(f.retries().retryOn()).isEqualTo(Set.of(RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM, RetryOn.FIVE_XX));
    assertThat(f.retries().baseInterval()).isEqualTo(Duration.ofMillis(25));
    assertThat(f.retries().maxInterval()).isEqualTo(Duration.ofMillis(250));
    RouteAction.Forward canary = (RouteAction.Forward) route(true, 0.1).route().action();
    // No retries block: Istio's default policy.
    assertThat(canary.retries()).isEqualTo(RetryPolicies.ISTIO_DEFAULT);
    assertThat(canary.timeout()).isEqualTo(Duration.ZERO);
  }

  @Test
  void subsetsSelectTheirEndpointsWithTheRulesPolicy() {
    Cluster v1 = snapshot.clusters().get(V1);
    Cluster v2 = snapshot.clusters().get(V2);
    assertThat(v1.endpoints()).extracting(e -> e.authority()).containsExactly("10.1.0.1:8080", "10.1.0.2:8080");
    assertThat(v2.endpoints()).extracting(e -> e.authority()).containsExactly("10.1.0.3:9090");
    // LEAST_CONN is Envoy's least-request; h2UpgradePolicy UPGRADE makes the upstream HTTP/2.
    assertThat(v1.loadBalancer()).hasToString("LEAST_REQUEST");
    assertThat(v1.protocol()).isEqualTo(UpstreamProtocol.HTTP2);
    assertThat(v1.pick(0, false, Set.of())).isIn(v1.endpoints());
    // The rule's connectionPool applies to every subset (Istio: a subset's policy overrides field by field).
    var limits = v2.breaker().limits();
    assertThat(limits.maxConnections()).isEqualTo(100);
    assertThat(limits.maxPendingRequests()).isEqualTo(100);
    assertThat(limits.maxRequests()).isEqualTo(1000);
    assertThat(limits.maxRetries()).isEqualTo(io.meshwork.proxy.admission.ConnectionLimits.UNLIMITED);
  }

  @Test
  void unenforcedFieldsAndKindsAreNoticed() {
    // The circuit-breaking limits and outlier detection are enforced now.
    assertThat(snapshot.notices()).noneMatch(n -> n.contains("connectionPool") || n.contains("outlierDetection"));
    assertThat(snapshot.notices()).noneMatch(n -> n.contains("PeerAuthentication") || n.contains(".tls "));
    assertThat(snapshot.notices()).noneMatch(n -> n.contains("h2UpgradePolicy") || n.contains("loadBalancer"));
  }

  @Test
  void summaryDescribesHostsRoutesAndClusters() {
    assertThat(snapshot.summary()).containsKeys("version", "virtualHosts", "clusters");
    assertThat(snapshot.summary().toString()).contains("product-service.default.svc.cluster.local", V1, "weight=90",
        "LEAST_REQUEST", "10.1.0.3:9090", "timeout=10s");
  }
}
