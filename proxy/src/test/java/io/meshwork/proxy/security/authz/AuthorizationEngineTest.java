package io.meshwork.proxy.security.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.model.ObjectMeta;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.model.security.AuthorizationPolicy;
import io.meshwork.model.security.Condition;
import io.meshwork.model.security.From;
import io.meshwork.model.security.Operation;
import io.meshwork.model.security.Rule;
import io.meshwork.model.security.Source;
import io.meshwork.model.security.To;
import io.meshwork.proxy.security.authz.AuthzDecision.Verdict;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthorizationEngineTest {
  static final Map<String, String> PRODUCT_LABELS = Map.of("app", "product-service", "version", "v1");
  static final String ORDER_SERVICE = "cluster.local/ns/my-app/sa/order-service";

  /** The AuthorizationPolicy of seed 004, unchanged. */
  static final String SEED_004 = """
      apiVersion: security.istio.io/v1beta1
      kind: AuthorizationPolicy
      metadata:
        name: product-service-policy
        namespace: my-app
      spec:
        selector:
          matchLabels:
            app: product-service
        rules:
          # Allow only calls from order-service
          - from:
              - source:
                  principals:
                    - cluster.local/ns/my-app/sa/order-service
            to:
              - operation:
                  methods:
                    - GET
                    - POST
                  paths:
                    - /api/products/*
          # Allow health checks
          - to:
              - operation:
                  methods:
                    - GET
                  paths:
                    - /health/*
      """;

  @Test
  void seed004AllowsOrderServiceOnProductsAndAnyoneOnHealthAndDeniesTheRest() {
    AuthorizationEngine engine = engine(SEED_004);

    assertThat(engine.evaluate(request(ORDER_SERVICE, "GET", "/api/products/42")))
        .isEqualTo(new AuthzDecision(Verdict.ALLOW, "my-app/product-service-policy", 0, "allowed_by_policy", List.of()));
    assertThat(decide(engine, ORDER_SERVICE, "POST", "/api/products/42")).isEqualTo(Verdict.ALLOW);
    assertThat(decide(engine, null, "GET", "/health/ready")).isEqualTo(Verdict.ALLOW);
    assertThat(engine.evaluate(request(null, "GET", "/health/ready")).rule()).isEqualTo(1);
    assertThat(decide(engine, "cluster.local/ns/my-app/sa/frontend", "GET", "/health/live")).isEqualTo(Verdict.ALLOW);

    assertThat(engine.evaluate(request(ORDER_SERVICE, "DELETE", "/api/products/42")))
        .isEqualTo(new AuthzDecision(Verdict.DENY, null, -1, "no_matching_allow_policy", List.of()));
    assertThat(decide(engine, "cluster.local/ns/my-app/sa/frontend", "GET", "/api/products/42")).isEqualTo(Verdict.DENY);
    assertThat(decide(engine, null, "GET", "/api/products/42")).isEqualTo(Verdict.DENY);
    assertThat(decide(engine, null, "POST", "/health/ready")).isEqualTo(Verdict.DENY);
    assertThat(decide(engine, ORDER_SERVICE, "GET", "/api/orders")).isEqualTo(Verdict.DENY);
    // Case matters: Istio paths and methods are case-sensitive.
    assertThat(decide(engine, ORDER_SERVICE, "GET", "/API/products/1")).isEqualTo(Verdict.DENY);
    assertThat(decide(engine, ORDER_SERVICE, "get", "/api/products/1")).isEqualTo(Verdict.DENY);
  }

  @Test
  void seed004SeesNormalizedPathsSoTraversalCannotReachProducts() {
    AuthorizationEngine engine = engine(SEED_004);
    String path = ((NormalizedPath.Accepted) PathNormalizer.defaults().normalize("/health/../api/products/1")).path();

    assertThat(decide(engine, null, "GET", path)).isEqualTo(Verdict.DENY);
  }

  @Test
  void seed004DoesNotApplyToOtherWorkloads() {
    List<Resource<AuthorizationPolicy>> policies = policies(SEED_004);

    assertThat(AuthorizationEngine.forWorkload(policies, "my-app", Map.of("app", "order-service"), null)
        .evaluate(request(null, "DELETE", "/anything")).verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(AuthorizationEngine.forWorkload(policies, "other", PRODUCT_LABELS, null)
        .evaluate(request(null, "DELETE", "/anything")).reason()).isEqualTo("no_allow_policy");
  }

  @Test
  void withoutPoliciesEverythingIsAllowed() {
    AuthorizationEngine engine = AuthorizationEngine.forWorkload(List.of(), "my-app", PRODUCT_LABELS, null);

    assertThat(engine.evaluate(request(null, "DELETE", "/admin")))
        .isEqualTo(new AuthzDecision(Verdict.ALLOW, null, -1, "no_allow_policy", List.of()));
    assertThat(AuthorizationEngine.allowAll().evaluate(request(null, "GET", "/")).allowed()).isTrue();
  }

  @Test
  void denyIsCheckedBeforeAllow() {
    AuthorizationEngine engine = engine(SEED_004, """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: no-deletes-of-secrets, namespace: my-app}
        spec:
          action: DENY
          rules:
          - to:
            - operation:
                paths: ["/api/products/secret*"]
        """);

    assertThat(engine.evaluate(request(ORDER_SERVICE, "GET", "/api/products/secret-1")))
        .isEqualTo(new AuthzDecision(Verdict.DENY, "my-app/no-deletes-of-secrets", 0, "denied_by_policy", List.of()));
    assertThat(decide(engine, ORDER_SERVICE, "GET", "/api/products/1")).isEqualTo(Verdict.ALLOW);
  }

  @Test
  void anAllowPolicyThatMatchesNothingDeniesEverything() {
    AuthorizationEngine empty = engine("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: allow-nothing, namespace: my-app}
        spec: {}
        """);
    AuthorizationEngine everything = engine("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: allow-all, namespace: my-app}
        spec:
          rules:
          - {}
        """);

    assertThat(decide(empty, ORDER_SERVICE, "GET", "/")).isEqualTo(Verdict.DENY);
    assertThat(decide(everything, null, "DELETE", "/admin")).isEqualTo(Verdict.ALLOW);
  }

  @Test
  void notFieldsExcludeWhatTheyName() {
    AuthorizationEngine engine = engine("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: p, namespace: my-app}
        spec:
          rules:
          - from:
            - source:
                namespaces: ["my-app"]
                notPrincipals: ["cluster.local/ns/my-app/sa/untrusted"]
            to:
            - operation:
                notMethods: ["DELETE"]
                notPaths: ["/admin*"]
                hosts: ["products.my-app*"]
                notPorts: ["9000"]
        """);

    RequestAttributes.Builder ok = RequestAttributes.builder().sourcePrincipal(ORDER_SERVICE).sourceNamespace("my-app")
        .method("GET").path("/api").host("Products.My-App.svc:8080").destinationPort(8080);
    assertThat(engine.evaluate(ok.build()).allowed()).isTrue();
    assertThat(engine.evaluate(ok.method("DELETE").build()).allowed()).isFalse();
    assertThat(engine.evaluate(ok.method("GET").path("/admin/users").build()).allowed()).isFalse();
    assertThat(engine.evaluate(ok.path("/api").destinationPort(9000).build()).allowed()).isFalse();
    assertThat(engine.evaluate(ok.destinationPort(8080).sourcePrincipal("cluster.local/ns/my-app/sa/untrusted").build())
        .allowed()).isFalse();
    assertThat(engine.evaluate(ok.sourcePrincipal(ORDER_SERVICE).sourceNamespace("other").build()).allowed()).isFalse();
    assertThat(engine.evaluate(ok.sourceNamespace("my-app").host("orders").build()).allowed()).isFalse();
  }

  @Test
  void principalPatternsSupportPrefixSuffixAndPresence() {
    AuthorizationEngine engine = engine("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: p, namespace: my-app}
        spec:
          rules:
          - from: [{source: {principals: ["cluster.local/ns/shop/*"]}}]
          - from: [{source: {principals: ["*/sa/admin"]}}]
          - from: [{source: {requestPrincipals: ["*"]}}]
        """);

    assertThat(decide(engine, "cluster.local/ns/shop/sa/a", "GET", "/")).isEqualTo(Verdict.ALLOW);
    assertThat(decide(engine, "other.td/ns/x/sa/admin", "GET", "/")).isEqualTo(Verdict.ALLOW);
    assertThat(decide(engine, "cluster.local/ns/dev/sa/a", "GET", "/")).isEqualTo(Verdict.DENY);
    assertThat(engine.evaluate(RequestAttributes.builder().requestPrincipal("https://issuer/alice").build()).rule())
        .isEqualTo(2);
  }

  @Test
  void ipBlocksMatchCidrsOfTheDirectPeerAndRemoteIpBlocksTheOriginalClient() throws Exception {
    AuthorizationEngine engine = engine("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: p, namespace: my-app}
        spec:
          action: DENY
          rules:
          - from: [{source: {ipBlocks: ["10.1.0.0/16", "2001:db8::/32"], notIpBlocks: ["10.1.2.3"]}}]
          - from: [{source: {remoteIpBlocks: ["203.0.113.0/24"]}}]
        """);

    assertThat(denied(engine, "10.1.200.7", null)).isTrue();
    assertThat(denied(engine, "10.1.2.3", null)).isFalse();
    assertThat(denied(engine, "10.2.0.1", null)).isFalse();
    assertThat(denied(engine, "2001:db8:1::5", null)).isTrue();
    assertThat(denied(engine, "127.0.0.1", "203.0.113.9")).isTrue();
    assertThat(denied(engine, "127.0.0.1", "198.51.100.1")).isFalse();
  }

  @Test
  void whenConditionsOnClaimsAndHeaders() {
    AuthorizationEngine engine = engine("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: p, namespace: my-app}
        spec:
          rules:
          - when:
            - key: request.auth.claims[groups]
              values: ["admins"]
            - key: request.auth.claims[realm][tier]
              values: ["gold*"]
            - key: request.headers[X-Tenant]
              values: ["acme"]
              notValues: ["acme-blocked"]
            - key: request.auth.audiences
              values: ["products"]
        """);
    Map<String, Object> claims = Map.of("groups", List.of("dev", "admins"), "realm", Map.of("tier", "gold-plus"),
        "aud", List.of("orders", "products"));
    RequestAttributes.Builder request = RequestAttributes.builder().claims(claims).header("x-tenant", "acme")
        .method("GET").path("/");

    assertThat(engine.evaluate(request.build()).allowed()).isTrue();
    assertThat(engine.evaluate(request.claims(Map.of("groups", "admins", "realm", Map.of("tier", "silver"),
        "aud", "products")).build()).allowed()).isFalse();
    assertThat(engine.evaluate(request.claims(Map.of("groups", "admins", "realm", Map.of("tier", "gold"),
        "aud", "products")).build()).allowed()).isTrue();
    assertThat(engine.evaluate(request.claims(claims).header("X-Tenant", "other").build()).allowed()).isFalse();
    assertThat(engine.evaluate(RequestAttributes.builder().claims(claims).build()).allowed()).isFalse();
  }

  @Test
  void whenConditionsOnConnectionAttributes() throws Exception {
    AuthorizationEngine engine = engine("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: p, namespace: my-app}
        spec:
          action: DENY
          rules:
          - when:
            - {key: source.ip, values: ["192.168.0.0/16"]}
            - {key: destination.port, notValues: ["8443"]}
            - {key: connection.sni, values: ["*.internal"]}
            - {key: source.namespace, values: ["legacy"]}
        """);
    RequestAttributes.Builder request = RequestAttributes.builder().sourceIp(InetAddress.getByName("192.168.4.4"))
        .destinationPort(8080).sni("products.internal").sourceNamespace("legacy");

    assertThat(engine.evaluate(request.build()).verdict()).isEqualTo(Verdict.DENY);
    assertThat(engine.evaluate(request.destinationPort(8443).build()).verdict()).isEqualTo(Verdict.ALLOW);
  }

  @Test
  void auditMatchesAreReportedWithoutChangingTheDecision() {
    AuthorizationEngine engine = engine(SEED_004, """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: audit-writes, namespace: istio-system}
        spec:
          action: AUDIT
          rules:
          - to: [{operation: {methods: ["POST"]}}]
        """);

    AuthzDecision decision = engine.evaluate(request(ORDER_SERVICE, "POST", "/api/products/1"));
    assertThat(decision.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(decision.audits()).containsExactly("istio-system/audit-writes");
    assertThat(decision.describe()).isEqualTo(
        "ALLOW allowed_by_policy my-app/product-service-policy[0] audit=[istio-system/audit-writes]");
  }

  @Test
  void rootNamespacePoliciesApplyMeshWide() {
    List<Resource<AuthorizationPolicy>> policies = policies("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-debug, namespace: istio-system}
        spec:
          action: DENY
          rules:
          - to: [{operation: {paths: ["/debug/*"]}}]
        """);

    AuthorizationEngine engine = AuthorizationEngine.forWorkload(policies, "shop", Map.of(),
        AuthorizationEngine.DEFAULT_ROOT_NAMESPACE);
    assertThat(engine.evaluate(request(null, "GET", "/debug/pprof")).verdict()).isEqualTo(Verdict.DENY);
    assertThat(engine.policies()).containsExactly("DENY istio-system/deny-debug");
  }

  @Test
  void invalidPoliciesFailToCompileWithEveryProblemNamed() {
    // Built as records: the model's own validation may refuse some of these before they get here.
    Source source = new Source(null, null, null, null, null, null, List.of("10.0.0.0/33", "not-an-ip"), null, null, null);
    Operation operation = new Operation(null, null, List.of("http"), null, null, null, List.of("/a/*/b", "/x/{*}"), null);
    Rule rule = new Rule(List.of(new From(source)), List.of(new To(operation)), List.of(
        new Condition("request.body", List.of("x"), null),
        new Condition("request.headers[]", List.of("x"), null),
        new Condition("source.principal", null, null)));
    List<Resource<AuthorizationPolicy>> policies = List.of(
        Resource.of(ObjectMeta.of("bad", "my-app"), new AuthorizationPolicy(null, null, List.of(rule), null)),
        Resource.of(ObjectMeta.of("ext", "my-app"), new AuthorizationPolicy(null, AuthorizationPolicy.Action.CUSTOM,
            List.of(new Rule(null, null, null)), new AuthorizationPolicy.Provider("opa"))));

    assertThatThrownBy(() -> AuthorizationEngine.forWorkload(policies, "my-app", Map.of(), null))
        .isInstanceOfSatisfying(PolicyCompileException.class, e -> assertThat(e.errors()).containsExactly(
            "AuthorizationPolicy my-app/bad: rules[0].from[0].source.ipBlocks[0]: 10.0.0.0/33 (expected: a prefix length 0..32)",
            "AuthorizationPolicy my-app/bad: rules[0].from[0].source.ipBlocks[1]: not-an-ip (expected: an IP address or CIDR)",
            "AuthorizationPolicy my-app/bad: rules[0].to[0].operation.ports[0]: http (expected: a port number 0..65535)",
            "AuthorizationPolicy my-app/bad: rules[0].to[0].operation.paths[0]: /a/*/b (expected: exact, 'prefix*', '*suffix' or '*'; '*' only first or last)",
            "AuthorizationPolicy my-app/bad: rules[0].to[0].operation.paths[1]: /x/{*} (expected: exact, 'prefix*', '*suffix' or '*'; path templates are not supported)",
            "AuthorizationPolicy my-app/bad: rules[0].when[0].key: request.body (expected: one of request.headers[<name>], source.ip, remote.ip, source.namespace, source.principal, request.auth.principal, request.auth.audiences, request.auth.presenter, request.auth.claims[<name>], destination.ip, destination.port, connection.sni)",
            "AuthorizationPolicy my-app/bad: rules[0].when[1].key: request.headers[] (expected: non-empty [name] segments)",
            "AuthorizationPolicy my-app/bad: rules[0].when[2]: no values (expected: values or notValues)",
            "AuthorizationPolicy my-app/ext: action: CUSTOM (expected: ALLOW, DENY or AUDIT; external authorization is not supported)"));
    assertThat(AuthorizationEngine.validate(policies)).hasSize(9);
  }

  @Test
  void connectionsAreDecidedAsIstioDecidesTcp() {
    RequestAttributes orders = RequestAttributes.builder().sourcePrincipal(ORDER_SERVICE).sourceNamespace("my-app")
        .destinationPort(8080).build();
    RequestAttributes stranger = RequestAttributes.builder().sourcePrincipal("cluster.local/ns/other/sa/x")
        .sourceNamespace("other").destinationPort(8080).build();

    // Seed 004's rules all name methods and paths, which a connection has none of: no ALLOW rule matches.
    assertThat(engine(SEED_004).evaluateConnection(orders).allowed()).isFalse();

    AuthorizationEngine byPrincipal = engine("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: tcp, namespace: my-app}
        spec:
          rules:
          - from: [{source: {principals: ["%s"]}}]
            to: [{operation: {ports: ["8080"]}}]
          - from: [{source: {namespaces: [other]}}]
            when: [{key: "request.headers[x-debug]", values: ["1"]}]
        """.formatted(ORDER_SERVICE));
    assertThat(byPrincipal.evaluateConnection(orders).allowed()).isTrue();
    assertThat(byPrincipal.evaluateConnection(stranger).allowed())
        .as("an ALLOW rule with an HTTP-only condition never matches a connection").isFalse();

    AuthorizationEngine deny = engine("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: tcp-deny, namespace: my-app}
        spec:
          action: DENY
          rules:
          - from: [{source: {namespaces: [other]}}]
            to: [{operation: {methods: [DELETE], paths: [/admin/*]}}]
        """);
    AuthzDecision denied = deny.evaluateConnection(stranger);
    assertThat(denied.verdict()).as("a DENY rule's HTTP-only fields are ignored for a connection")
        .isEqualTo(Verdict.DENY);
    assertThat(deny.evaluateConnection(orders).allowed()).isTrue();
    // The same policy on an HTTP request still looks at the method.
    assertThat(deny.evaluate(RequestAttributes.builder().sourceNamespace("other").method("GET").path("/admin/x")
        .build()).allowed()).isTrue();
  }

  static AuthorizationEngine engine(String... yaml) {
    return AuthorizationEngine.forWorkload(policies(yaml), "my-app", PRODUCT_LABELS,
        AuthorizationEngine.DEFAULT_ROOT_NAMESPACE);
  }

  @SuppressWarnings("unchecked")
  static List<Resource<AuthorizationPolicy>> policies(String... yaml) {
    ParseResult parsed = ResourceParser.parse("test.yaml", String.join("\n---\n", yaml));
    assertThat(parsed.errors()).isEmpty();
    return parsed.resources().stream()
        .filter(r -> r.spec() instanceof AuthorizationPolicy)
        .map(r -> (Resource<AuthorizationPolicy>) r)
        .toList();
  }

  static RequestAttributes request(String principal, String method, String path) {
    return RequestAttributes.builder().sourcePrincipal(principal).method(method).path(path).host("product-service")
        .destinationPort(8080).build();
  }

  static Verdict decide(AuthorizationEngine engine, String principal, String method, String path) {
    return engine.evaluate(request(principal, method, path)).verdict();
  }

  static boolean denied(AuthorizationEngine engine, String sourceIp, String remoteIp) throws Exception {
    RequestAttributes.Builder request = RequestAttributes.builder().sourceIp(InetAddress.getByName(sourceIp));
    if (remoteIp != null) {
      request.remoteIp(InetAddress.getByName(remoteIp));
    }
    return !engine.evaluate(request.build()).allowed();
  }
}
