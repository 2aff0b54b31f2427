package io.meshwork.proxy.policy;

import static io.meshwork.proxy.policy.PolicyFixtures.compile;
import static io.meshwork.proxy.policy.PolicyFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.ObjectMeta;
import io.meshwork.model.Resource;
import io.meshwork.model.identity.SpiffeId;
import io.meshwork.model.security.AuthorizationPolicy;
import io.meshwork.model.security.Rule;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.http.ProxyError;
import io.meshwork.proxy.policy.RequestFilter.Reject;
import io.meshwork.proxy.policy.RequestFilter.Verdict;
import io.meshwork.proxy.tls.PeerIdentity;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Decisions of the inbound filter, in Istio's order: path, JWT, API key, authorization. */
class InboundPolicyFilterTest {
  static final LocalService PRODUCTS = new LocalService("product-service", "my-app");
  static final SpiffeId ORDERS = SpiffeId.forWorkload("cluster.local", "my-app", "order-service");

  final EmbeddedChannel channel = new EmbeddedChannel();

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  Verdict check(InboundPolicy policy, HttpRequest request) {
    return new InboundPolicyFilter(() -> policy).check(request, channel);
  }

  static HttpRequest request(HttpMethod method, String uri, String... headers) {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    request.headers().set("host", "product-service:9080");
    for (int i = 0; i < headers.length; i += 2) {
      request.headers().add(headers[i], headers[i + 1]);
    }
    return request;
  }

  static HttpRequest get(String uri, String... headers) {
    return request(HttpMethod.GET, uri, headers);
  }

  @Test
  void withoutPolicyACleanPathPassesUntouchedAndOthersAreNormalized() {
    HttpRequest clean = get("/api/products/1?x=a/../b");
    String before = clean.uri();
    assertThat(check(InboundPolicy.ALLOW_ALL, clean)).isEqualTo(Verdict.PASS);
    assertThat(clean.uri()).isSameAs(before);

    HttpRequest dotted = get("/app/../admin?q=1");
    assertThat(check(InboundPolicy.ALLOW_ALL, dotted)).isEqualTo(Verdict.PASS);
    assertThat(dotted.uri()).isEqualTo("/admin?q=1");

    assertThat(check(InboundPolicy.ALLOW_ALL, get("/admin%00"))).isInstanceOfSatisfying(Reject.class,
        r -> assertThat(r.error()).isEqualTo(ProxyError.BAD_REQUEST));
  }

  @Test
  void isNormalOnlyAcceptsPathsTheNormalizerWouldKeep() {
    assertThat(InboundPolicyFilter.isNormal("/api/v1/items.json?a=%2F")).isTrue();
    assertThat(InboundPolicyFilter.quoted("h\"/a\\b")).isEqualTo("\"h\\\"/a\\\\b\"");
    for (String path : List.of("//admin", "/a/./b", "/a/..", "/%2e", "\\admin", "/a b", "", "*", "/a#b")) {
      assertThat(InboundPolicyFilter.isNormal(path)).as(path).isFalse();
    }
  }

  @Test
  void seedPolicyAllowsOrderServiceOnProductsAndAnyoneOnHealth() {
    InboundPolicy policy = compile(PolicyFixtures.seed(), PRODUCTS, new ArrayList<>());
    assertThat(check(policy, get("/health/live"))).isEqualTo(Verdict.PASS);
    assertThat(check(policy, get("/api/products/1"))).isEqualTo(denied());
    assertThat(check(policy, get("/other"))).isEqualTo(denied());

    channel.attr(PeerIdentity.ATTR).set(ORDERS);
    assertThat(check(policy, get("/api/products/1"))).isEqualTo(Verdict.PASS);
    assertThat(check(policy, request(HttpMethod.POST, "/api/products/1"))).isEqualTo(Verdict.PASS);
    assertThat(check(policy, request(HttpMethod.DELETE, "/api/products/1"))).isEqualTo(denied());
    assertThat(check(policy, get("/api/products"))).isEqualTo(denied());
  }

  @Test
  void thePathThePolicyMatchedIsThePathLeftOnTheRequest() {
    InboundPolicy policy = compile("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-admin, namespace: my-app}
        spec:
          action: DENY
          rules: [{to: [{operation: {paths: [/admin, /admin/*]}}]}]
        """, PRODUCTS);
    for (String bypass : List.of("/app/../admin", "/app/%2E./admin", "//admin", "\\admin", "/app/%2e%2e/admin/x",
        "/./admin")) {
      assertThat(check(policy, get(bypass))).as(bypass).isEqualTo(denied());
    }
    HttpRequest upper = get("/Admin");
    assertThat(check(policy, upper)).isEqualTo(Verdict.PASS);
    assertThat(upper.uri()).isEqualTo("/Admin");
    HttpRequest rewritten = get("/app/./x/../%7Euser//y?q=/../");
    assertThat(check(policy, rewritten)).isEqualTo(Verdict.PASS);
    assertThat(rewritten.uri()).isEqualTo("/app/~user/y?q=/../");
    assertThat(check(policy, get("/admin%00"))).isInstanceOfSatisfying(Reject.class,
        r -> assertThat(r.error()).isEqualTo(ProxyError.BAD_REQUEST));
  }

  @Test
  void anInvalidTokenIs401WithABearerChallenge() {
    InboundPolicy policy = compile(PolicyFixtures.requestAuthentication("my-app", "product-service", ""), PRODUCTS);
    Verdict verdict = check(policy, get("/api/products/1", "authorization",
        "Bearer " + token(PolicyFixtures.STRANGER, "alice", PolicyFixtures.NOW.plusSeconds(60))));
    assertThat(verdict).isInstanceOfSatisfying(Reject.class, r -> {
      assertThat(r.error()).isEqualTo(ProxyError.UNAUTHENTICATED);
      assertThat(r.message()).startsWith("Jwt verification fails");
      assertThat(r.headers()).containsEntry("www-authenticate",
          "Bearer realm=\"http://product-service:9080/api/products/1\", error=\"invalid_token\"");
    });
    Verdict expired = check(policy, get("/x", "authorization",
        "Bearer " + token(PolicyFixtures.KEY, "alice", PolicyFixtures.NOW.minusSeconds(3600))));
    assertThat(expired).isInstanceOfSatisfying(Reject.class,
        r -> assertThat(r.message()).startsWith("Jwt is expired"));
  }

  @Test
  void aMissingTokenPassesAndAValidOneIsStrippedUnlessForwarded() {
    InboundPolicy policy = compile(PolicyFixtures.requestAuthentication("my-app", "product-service",
        "outputPayloadToHeader: x-jwt-payload"), PRODUCTS);
    HttpRequest anonymous = get("/a", "x-jwt-payload", "forged");
    assertThat(check(policy, anonymous)).isEqualTo(Verdict.PASS);
    assertThat(anonymous.headers().contains("x-jwt-payload")).isFalse();

    HttpRequest valid = get("/a", "authorization", "Bearer " + token("alice"));
    assertThat(check(policy, valid)).isEqualTo(Verdict.PASS);
    assertThat(valid.headers().contains("authorization")).isFalse();
    String payload = new String(Base64.getUrlDecoder().decode(valid.headers().get("x-jwt-payload")),
        StandardCharsets.UTF_8);
    assertThat(payload).contains("\"sub\":\"alice\"");

    HttpRequest inQuery = get("/a?x=1&access_token=" + token("alice") + "&y=2");
    assertThat(check(policy, inQuery)).isEqualTo(Verdict.PASS);
    assertThat(inQuery.uri()).isEqualTo("/a?x=1&y=2");

    InboundPolicy forwarding = compile(PolicyFixtures.requestAuthentication("my-app", "product-service",
        "forwardOriginalToken: true"), PRODUCTS);
    HttpRequest kept = get("/a", "authorization", "Bearer " + token("alice"));
    assertThat(check(forwarding, kept)).isEqualTo(Verdict.PASS);
    assertThat(kept.headers().get("authorization")).isEqualTo("Bearer " + token("alice"));
  }

  @Test
  void requestPrincipalsComeFromTheValidatedToken() {
    InboundPolicy policy = compile(PolicyFixtures.requestAuthentication("my-app", "product-service", "") + """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: require-jwt, namespace: my-app}
        spec:
          rules: [{from: [{source: {requestPrincipals: ["https://auth.example.com/alice"]}}]}]
        """, PRODUCTS);
    assertThat(check(policy, get("/a", "authorization", "Bearer " + token("alice")))).isEqualTo(Verdict.PASS);
    assertThat(check(policy, get("/a", "authorization", "Bearer " + token("bob")))).isEqualTo(denied());
    assertThat(check(policy, get("/a"))).isEqualTo(denied());
  }

  static final String KEYS = """
      apiVersion: meshwork.io/v1alpha1
      kind: ApiKey
      metadata: {name: mobile, namespace: my-app}
      spec: {clientId: mobile, secretHash: "%s", services: [product-service]}
      ---
      apiVersion: meshwork.io/v1alpha1
      kind: ApiKey
      metadata: {name: batch, namespace: other}
      spec: {clientId: batch, secretHash: "%s", services: [reports]}
      ---
      apiVersion: meshwork.io/v1alpha1
      kind: ApiKey
      metadata: {name: old, namespace: my-app}
      spec: {clientId: old, secretHash: "%s", services: [product-service], enabled: false}
      """.formatted(ApiKeyRequirement.hash("s3cret"), ApiKeyRequirement.hash("b4tch"), ApiKeyRequirement.hash("0ld"));

  static final LocalService PRODUCTS_WITH_KEYS = new LocalService("product-service", "my-app",
      Map.of(ApiKeyRequirement.REQUIRE_LABEL, "true"));

  @Test
  void apiKeysAreCheckedOnlyWhereTheWorkloadRequiresThem() {
    assertThat(check(compile(KEYS, PRODUCTS), get("/a"))).isEqualTo(Verdict.PASS);

    InboundPolicy policy = compile(KEYS, PRODUCTS_WITH_KEYS);
    assertThat(check(policy, get("/a"))).isInstanceOfSatisfying(Reject.class, r -> {
      assertThat(r.error()).isEqualTo(ProxyError.UNAUTHENTICATED);
      assertThat(r.headers()).containsKey("www-authenticate");
    });
    assertThat(error(check(policy, get("/a", "otoroshi-client-id", "mobile", "otoroshi-client-secret", "nope"))))
        .isEqualTo(ProxyError.UNAUTHENTICATED);
    assertThat(error(check(policy, get("/a", "otoroshi-client-id", "ghost", "otoroshi-client-secret", "s3cret"))))
        .isEqualTo(ProxyError.UNAUTHENTICATED);
    assertThat(error(check(policy, get("/a", "otoroshi-client-id", "old", "otoroshi-client-secret", "0ld"))))
        .isEqualTo(ProxyError.UNAUTHENTICATED);
    assertThat(error(check(policy, get("/a", "otoroshi-client-id", "batch", "otoroshi-client-secret", "b4tch"))))
        .isEqualTo(ProxyError.FORBIDDEN);

    HttpRequest viaHeaders = get("/a", "Otoroshi-Client-Id", "mobile", "Otoroshi-Client-Secret", "s3cret");
    assertThat(check(policy, viaHeaders)).isEqualTo(Verdict.PASS);
    assertThat(viaHeaders.headers().contains("otoroshi-client-secret")).isFalse();
    assertThat(viaHeaders.headers().get("otoroshi-client-id")).isEqualTo("mobile");

    HttpRequest viaBasic = get("/a", "authorization",
        "Basic " + Base64.getEncoder().encodeToString("mobile:s3cret".getBytes(StandardCharsets.UTF_8)));
    assertThat(check(policy, viaBasic)).isEqualTo(Verdict.PASS);
    assertThat(viaBasic.headers().contains("authorization")).isFalse();
  }

  @Test
  void aPolicyThatCannotBeCompiledDeniesEverythingAndSaysSo() {
    List<String> notices = new ArrayList<>();
    // The validator refuses CUSTOM; a resource that reaches the sidecar anyway (e.g. from an older
    // control plane) must not open the workload.
    Resource<AuthorizationPolicy> custom = Resource.of(ObjectMeta.of("ext", "my-app"), new AuthorizationPolicy(
        null, AuthorizationPolicy.Action.CUSTOM, List.of(new Rule(List.of(), List.of(), List.of())),
        new AuthorizationPolicy.Provider("opa")));
    InboundPolicy policy = compile(List.of(custom), PRODUCTS, notices);
    assertThat(policy.brokenReason()).contains("CUSTOM");
    assertThat(notices).anySatisfy(n -> assertThat(n).contains("ext").contains("every inbound request is denied"));
    assertThat(check(policy, get("/health/live"))).isEqualTo(denied());
  }

  @Test
  void rootNamespacePoliciesApplyMeshWideAndOthersDoNot() {
    String yaml = """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-debug, namespace: istio-system}
        spec:
          action: DENY
          rules: [{to: [{operation: {paths: ["/debug/*"]}}]}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: elsewhere, namespace: other}
        spec: {}
        """;
    InboundPolicy policy = compile(yaml, PRODUCTS);
    assertThat(check(policy, get("/debug/pprof"))).isEqualTo(denied());
    assertThat(check(policy, get("/api"))).isEqualTo(Verdict.PASS);
  }

  private static ProxyError error(Verdict verdict) {
    return verdict instanceof Reject r ? r.error() : null;
  }

  private static Reject denied() {
    return new Reject(ProxyError.FORBIDDEN, InboundPolicyFilter.ACCESS_DENIED);
  }
}
