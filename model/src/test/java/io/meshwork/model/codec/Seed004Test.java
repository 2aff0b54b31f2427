package io.meshwork.model.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.DirectoryResult;
import io.meshwork.model.Kind;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.kube.IstioOperator;
import io.meshwork.model.kube.Namespace;
import io.meshwork.model.networking.ClientTLSSettings.TLSmode;
import io.meshwork.model.networking.DestinationRule;
import io.meshwork.model.networking.HTTPRoute;
import io.meshwork.model.networking.HTTPSettings.H2UpgradePolicy;
import io.meshwork.model.networking.LoadBalancerSettings.SimpleLB;
import io.meshwork.model.networking.StringMatch;
import io.meshwork.model.networking.VirtualService;
import io.meshwork.model.security.AuthorizationPolicy;
import io.meshwork.model.security.MutualTLS;
import io.meshwork.model.security.PeerAuthentication;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Istio example of seed 004 applies unchanged, and every value lands in the records. */
class Seed004Test {

  private static Path seed(String file) {
    try {
      return Path.of(Seed004Test.class.getResource("/seed-004/" + file).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Resource<?> only(String file) {
    ParseResult result = ResourceParser.parse(seed(file));
    assertThat(result.errors()).as(result.report()).isEmpty();
    assertThat(result.resources()).hasSize(1);
    return result.resources().getFirst();
  }

  @Test
  void wholeDirectoryAppliesWithOnlyTheTwoKubernetesWarnings() {
    DirectoryResult result = ResourceParser.parseDirectory(seed("virtual-service.yaml").getParent());

    assertThat(result.hasErrors()).as(result.diagnostics().toString()).isFalse();
    assertThat(result.files()).hasSize(6);
    assertThat(result.resources()).extracting(Resource::kind).containsExactly(
        Kind.AUTHORIZATION_POLICY, Kind.DESTINATION_RULE, Kind.ISTIO_OPERATOR, Kind.NAMESPACE,
        Kind.PEER_AUTHENTICATION, Kind.VIRTUAL_SERVICE);
    assertThat(result.warnings()).hasSize(2);
  }

  @Test
  void virtualServiceCanaryRoutes() {
    Resource<?> r = only("virtual-service.yaml");
    assertThat(r.apiVersion()).isEqualTo("networking.istio.io/v1beta1");
    assertThat(r.key()).isEqualTo("VirtualService/default/product-service");
    VirtualService vs = (VirtualService) r.spec();
    assertThat(vs.hosts()).containsExactly("product-service");
    assertThat(vs.http()).hasSize(2);

    HTTPRoute canary = vs.http().get(0);
    assertThat(canary.match()).hasSize(1);
    assertThat(canary.match().getFirst().headers()).isEqualTo(Map.of("x-canary", new StringMatch.Exact("true")));
    assertThat(canary.route()).singleElement().satisfies(d -> {
      assertThat(d.destination().host()).isEqualTo("product-service");
      assertThat(d.destination().subset()).isEqualTo("v2");
      assertThat(d.weight()).isNull();
    });
    assertThat(canary.retries()).isNull();
    assertThat(canary.timeout()).isNull();

    HTTPRoute split = vs.http().get(1);
    assertThat(split.match()).isEmpty();
    assertThat(split.route()).extracting(d -> d.destination().subset()).containsExactly("v1", "v2");
    assertThat(split.route()).extracting(d -> d.weight()).containsExactly(90, 10);
    assertThat(split.retries().attempts()).isEqualTo(3);
    assertThat(split.retries().perTryTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(split.retries().retryOn()).isEqualTo("connect-failure,refused-stream,5xx");
    assertThat(split.timeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void destinationRulePolicies() {
    Resource<?> r = only("destination-rule.yaml");
    DestinationRule dr = (DestinationRule) r.spec();
    assertThat(dr.host()).isEqualTo("product-service");
    var policy = dr.trafficPolicy();
    assertThat(policy.connectionPool().tcp().maxConnections()).isEqualTo(100);
    assertThat(policy.connectionPool().http().h2UpgradePolicy()).isEqualTo(H2UpgradePolicy.UPGRADE);
    assertThat(policy.connectionPool().http().http1MaxPendingRequests()).isEqualTo(100);
    assertThat(policy.connectionPool().http().http2MaxRequests()).isEqualTo(1000);
    assertThat(policy.loadBalancer().simple()).isEqualTo(SimpleLB.LEAST_CONN);
    assertThat(policy.loadBalancer().consistentHash()).isNull();
    assertThat(policy.outlierDetection().consecutive5xxErrors()).isEqualTo(5);
    assertThat(policy.outlierDetection().interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.outlierDetection().baseEjectionTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.outlierDetection().maxEjectionPercent()).isEqualTo(50);
    assertThat(policy.tls().mode()).isEqualTo(TLSmode.ISTIO_MUTUAL);
    assertThat(policy.portLevelSettings()).isEmpty();
    assertThat(dr.subsets()).hasSize(2);
    assertThat(dr.subsets().get(0).name()).isEqualTo("v1");
    assertThat(dr.subsets().get(0).labels()).isEqualTo(Map.of("version", "v1"));
    assertThat(dr.subsets().get(1).name()).isEqualTo("v2");
    assertThat(dr.subsets().get(1).labels()).isEqualTo(Map.of("version", "v2"));
  }

  @Test
  void authorizationPolicyRules() {
    Resource<?> r = only("authorization-policy.yaml");
    assertThat(r.namespace()).isEqualTo("my-app");
    AuthorizationPolicy ap = (AuthorizationPolicy) r.spec();
    assertThat(ap.selector().matchLabels()).isEqualTo(Map.of("app", "product-service"));
    assertThat(ap.action()).isNull();
    assertThat(ap.rules()).hasSize(2);
    var fromOrders = ap.rules().get(0);
    assertThat(fromOrders.from()).singleElement().satisfies(f ->
        assertThat(f.source().principals()).containsExactly("cluster.local/ns/my-app/sa/order-service"));
    assertThat(fromOrders.to()).singleElement().satisfies(t -> {
      assertThat(t.operation().methods()).containsExactly("GET", "POST");
      assertThat(t.operation().paths()).containsExactly("/api/products/*");
    });
    assertThat(fromOrders.when()).isEmpty();
    var health = ap.rules().get(1);
    assertThat(health.from()).isEmpty();
    assertThat(health.to()).singleElement().satisfies(t -> {
      assertThat(t.operation().methods()).containsExactly("GET");
      assertThat(t.operation().paths()).containsExactly("/health/*");
    });
  }

  @Test
  void peerAuthenticationStrict() {
    Resource<?> r = only("peer-authentication.yaml");
    assertThat(r.key()).isEqualTo("PeerAuthentication/my-app/default");
    PeerAuthentication pa = (PeerAuthentication) r.spec();
    assertThat(pa.selector()).isNull();
    assertThat(pa.mtls().mode()).isEqualTo(MutualTLS.Mode.STRICT);
    assertThat(pa.portLevelMtls()).isEmpty();
  }

  @Test
  void namespaceIsAcceptedWithAWarning() {
    ParseResult result = ResourceParser.parse(seed("namespace.yaml"));
    assertThat(result.errors()).isEmpty();
    assertThat(result.warnings()).singleElement().satisfies(w -> {
      assertThat(w.field()).isEqualTo("kind");
      assertThat(w.line()).isEqualTo(3);
      assertThat(w.message()).contains("means nothing outside Kubernetes");
    });
    Resource<?> ns = result.resources().getFirst();
    assertThat(ns.kind()).isEqualTo(Kind.NAMESPACE);
    assertThat(ns.key()).isEqualTo("Namespace/my-app");
    assertThat(ns.metadata().labels()).isEqualTo(Map.of("istio-injection", "enabled"));
    assertThat(ns.spec()).isEqualTo(new Namespace(List.of()));
  }

  @Test
  void istioOperatorKeepsMeshConfigWithAWarning() {
    ParseResult result = ResourceParser.parse(seed("istio-operator.yaml"));
    assertThat(result.errors()).isEmpty();
    assertThat(result.warnings()).singleElement().satisfies(w -> {
      assertThat(w.source()).endsWith("istio-operator.yaml");
      assertThat(w.line()).isEqualTo(3);
      assertThat(w.message()).contains("means nothing outside Kubernetes").contains("accessLogFile");
    });
    IstioOperator iop = (IstioOperator) result.resources().getFirst().spec();
    assertThat(iop.profile()).isEqualTo("default");
    assertThat(iop.meshConfig().accessLogFile()).isEqualTo("/dev/stdout");
    assertThat(iop.meshConfig().enableTracing()).isTrue();
    assertThat(iop.components()).containsKey("pilot");
  }
}
