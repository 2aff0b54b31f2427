package io.meshwork.proxy.config;

import static io.meshwork.proxy.config.Resources.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.meshwork.RateLimitPolicy.Direction;
import io.meshwork.model.meshwork.RateLimitPolicy.FailureMode;
import io.meshwork.proxy.ratelimit.CallerKey;
import io.meshwork.proxy.ratelimit.GlobalCounters;
import io.meshwork.proxy.ratelimit.GlobalRateLimitRule;
import io.meshwork.proxy.ratelimit.RateLimitRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RateLimitPolicy compiled for one workload: which policies apply, on which side, and buckets that outlive a snapshot. */
class RateLimitPoliciesTest {
  private static final LocalService PRODUCTS = new LocalService("products", "shop", java.util.Map.of("tier", "api"));
  private final SnapshotCompiler compiler = new SnapshotCompiler();

  private static final String POLICIES = """
      apiVersion: meshwork.io/v1alpha1
      kind: RateLimitPolicy
      metadata: {name: per-user, namespace: shop}
      spec:
        selector: {matchLabels: {tier: api}}
        requestsPerUnit: 10
        unit: HOUR
        burst: 5
        per: {header: x-user-id}
      ---
      apiVersion: meshwork.io/v1alpha1
      kind: RateLimitPolicy
      metadata: {name: calls-out, namespace: shop}
      spec:
        requestsPerUnit: 50
        direction: OUTBOUND
        dryRun: true
      ---
      apiVersion: meshwork.io/v1alpha1
      kind: RateLimitPolicy
      metadata: {name: other-workload, namespace: shop}
      spec:
        selector: {matchLabels: {app: orders}}
        requestsPerUnit: 1
      ---
      apiVersion: meshwork.io/v1alpha1
      kind: RateLimitPolicy
      metadata: {name: other-namespace, namespace: billing}
      spec:
        requestsPerUnit: 1
      """;

  @Test
  void policiesOfTheWorkloadApplyOnTheSideTheyName() {
    MeshSnapshot s = compiler.compile(1, yaml(POLICIES), PRODUCTS);
    assertThat(s.notices()).isEmpty();
    List<RateLimitRule> inbound = s.rateLimits().inbound();
    assertThat(inbound).extracting(RateLimitRule::name).containsExactly("per-user");
    RateLimitRule perUser = inbound.get(0);
    assertThat(perUser.key()).isEqualTo(new CallerKey.Header("x-user-id"));
    assertThat(perUser.windowSeconds()).isEqualTo(3600);
    assertThat(perUser.capacity()).isEqualTo(15);
    assertThat(perUser.intervalNanos()).isEqualTo(360_000_000_000L);
    RateLimitRule out = s.rateLimits().of(Direction.OUTBOUND).get(0);
    assertThat(out.name()).isEqualTo("calls-out");
    assertThat(out.dryRun()).isTrue();
    assertThat(out.windowSeconds()).isEqualTo(1);
  }

  @Test
  void bucketsOutliveASnapshotWhileTheirPolicyIsUnchanged() {
    MeshSnapshot first = compiler.compile(1, yaml(POLICIES), PRODUCTS);
    MeshSnapshot second = compiler.compile(2, yaml(POLICIES), PRODUCTS);
    assertThat(second.rateLimits().inbound().get(0).state()).isSameAs(first.rateLimits().inbound().get(0).state());
    MeshSnapshot edited = compiler.compile(3, yaml(POLICIES.replace("requestsPerUnit: 10", "requestsPerUnit: 20")),
        PRODUCTS);
    assertThat(edited.rateLimits().inbound().get(0).state()).isNotSameAs(first.rateLimits().inbound().get(0).state());
    assertThat(edited.rateLimits().outbound().get(0).state()).isSameAs(first.rateLimits().outbound().get(0).state());
  }

  private static final String GLOBAL = """
      apiVersion: meshwork.io/v1alpha1
      kind: RateLimitPolicy
      metadata: {name: shared, namespace: shop}
      spec:
        scope: GLOBAL
        failureMode: DENY
        requestsPerUnit: 600
        unit: MINUTE
        per: {source: PRINCIPAL}
      """;

  @Test
  void globalPoliciesCompileApartAndKeepTheirSharesAcrossSnapshots() {
    SnapshotCompiler withCounters = new SnapshotCompiler(new GlobalCounters() {
      @Override
      public java.util.concurrent.CompletableFuture<Lease> lease(String ns, String policy, String key, long n) {
        return new java.util.concurrent.CompletableFuture<>();
      }

      @Override
      public String describe() {
        return "counters that never answer";
      }
    });
    MeshSnapshot first = withCounters.compile(1, yaml(GLOBAL), PRODUCTS);
    assertThat(first.notices()).isEmpty();
    assertThat(first.rateLimits().inbound()).isEmpty();
    GlobalRateLimitRule shared = first.rateLimits().globalInbound().getFirst();
    assertThat(shared.quota()).isEqualTo(600);
    assertThat(shared.windowSeconds()).isEqualTo(60);
    assertThat(shared.failureMode()).isEqualTo(FailureMode.DENY);
    assertThat(shared.key()).isEqualTo(new CallerKey.Principal());
    MeshSnapshot second = withCounters.compile(2, yaml(GLOBAL), PRODUCTS);
    assertThat(second.rateLimits().globalInbound().getFirst().state()).isSameAs(shared.state());

    // Without a control plane (file mode) nothing holds the counters: the notice says what happens instead.
    MeshSnapshot standalone = compiler.compile(1, yaml(GLOBAL), PRODUCTS);
    assertThat(standalone.notices()).singleElement().asString()
        .contains("GLOBAL needs a control plane to hold its counters")
        .contains("applies failureMode DENY");
  }
}
