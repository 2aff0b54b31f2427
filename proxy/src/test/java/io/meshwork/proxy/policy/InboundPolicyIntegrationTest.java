package io.meshwork.proxy.policy;

import static io.meshwork.proxy.policy.PolicyFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.ServiceDirectory;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.config.WorkloadSecurity;
import io.meshwork.proxy.fixtures.H2Client;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.meshwork.proxy.policy.RawHttp.Response;
import io.meshwork.proxy.route.RouteDecision;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real sidecars on 127.0.0.1 in front of a real app: what the inbound port lets through, what the
 * app then receives, and the API key a sidecar presents on its app's outbound calls. The peer
 * identity of order-service is played by connections from 127.0.0.2.
 */
@Timeout(60)
class InboundPolicyIntegrationTest {
  static final LocalService PRODUCTS = new LocalService("product-service", "my-app");
  static final InetAddress ORDERS_ADDRESS = address("127.0.0.2");
  static final SpiffeId ORDERS = SpiffeId.forWorkload("cluster.local", "my-app", "order-service");

  TestBackend app;
  SourceIdentity.Restore identities;
  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() {
    app = TestBackend.http1((r, n) -> TestBackend.text(HttpResponseStatus.OK, "app got " + r.uri()));
    identities = SourceIdentity.override(ch -> ch.remoteAddress() instanceof InetSocketAddress remote
        && remote.getAddress().equals(ORDERS_ADDRESS) ? Optional.of(ORDERS) : Optional.empty());
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    identities.close();
    app.close();
  }

  Sidecar sidecar(String service, InboundPolicy policy) {
    MeshSnapshot snapshot = new MeshSnapshot(1, (request, host, port, path, random) -> new RouteDecision.UnknownHost(host),
        Map.of(), List.of(), Map.of(), ServiceDirectory.EMPTY, new WorkloadSecurity(null, policy));
    Sidecar sidecar = Sidecar.start(SidecarSettings.defaults(service).withIoThreads(1)
        .withTarget(URI.create("http://127.0.0.1:" + app.address().getPort())), new SnapshotRef(snapshot));
    open.add(sidecar);
    return sidecar;
  }

  String received() throws InterruptedException {
    HttpRequest head = app.received.poll(5, TimeUnit.SECONDS);
    assertThat(head).as("a request reached the app").isNotNull();
    return head.uri();
  }

  @Test
  void seedAuthorizationPolicyAsWritten() throws Exception {
    // The seed's PeerAuthentication (STRICT) is compiled with it; the peer identity is played here without TLS.
    InboundPolicy policy = PolicyFixtures.compile(PolicyFixtures.seed(), PRODUCTS, new ArrayList<>());
    int port = sidecar("product-service", policy).inboundPort();

    Response get = RawHttp.send(ORDERS_ADDRESS, port, "GET", "/api/products/7");
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.body()).isEqualTo("app got /api/products/7");
    assertThat(RawHttp.send(ORDERS_ADDRESS, port, "POST", "/api/products/7").status()).isEqualTo(200);
    assertThat(RawHttp.send(InetAddress.getLoopbackAddress(), port, "GET", "/health/live").status()).isEqualTo(200);
    assertThat(app.requests.get()).isEqualTo(3);

    Response delete = RawHttp.send(ORDERS_ADDRESS, port, "DELETE", "/api/products/7");
    assertThat(delete.status()).isEqualTo(403);
    assertThat(delete.body()).isEqualTo("RBAC: access denied\n");
    assertThat(delete.headers()).containsEntry("x-meshwork-error", "forbidden");
    assertThat(RawHttp.send(port, "GET", "/api/products/7").status()).isEqualTo(403);
    assertThat(RawHttp.send(port, "POST", "/health/live").status()).isEqualTo(403);
    assertThat(RawHttp.send(port, "GET", "/").status()).isEqualTo(403);
    Response grpc = RawHttp.send(port, "POST", "/shop.Products/List", "content-type", "application/grpc");
    assertThat(grpc.headers()).containsEntry("grpc-status", "7");
    assertThat(app.requests.get()).isEqualTo(3);
  }

  @Test
  void ipBlocksMatchThePeerAddressOfTheConnection() throws Exception {
    Sidecar sidecar = sidecar("product-service", PolicyFixtures.compile("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-second-loopback, namespace: my-app}
        spec:
          action: DENY
          rules: [{from: [{source: {ipBlocks: [127.0.0.2/32]}}]}]
        """, PRODUCTS));
    int port = sidecar.inboundPort();
    assertThat(RawHttp.send(ORDERS_ADDRESS, port, "GET", "/a").status()).isEqualTo(403);
    assertThat(RawHttp.send(port, "GET", "/a").status()).isEqualTo(200);

  }

  @Test
  void http2StreamsAreAuthorizedWithTheIdentityOfTheirConnection() throws Exception {
    InboundPolicy policy = PolicyFixtures.compile(PolicyFixtures.seed(), PRODUCTS, new ArrayList<>());
    int port = sidecar("product-service", policy).inboundPort();
    try (H2Client h2 = new H2Client(new InetSocketAddress("127.0.0.1", port))) {
      assertThat(h2Status(h2, "/api/products/1")).isEqualTo(403);
      try (SourceIdentity.Restore asOrders = SourceIdentity.override(
          ch -> ch instanceof Http2StreamChannel ? Optional.empty() : Optional.of(ORDERS))) {
        assertThat(h2Status(h2, "/api/products/1")).isEqualTo(200);
        assertThat(received()).isEqualTo("/api/products/1");
        H2Client.Stream grpc = h2.open();
        HttpRequest call = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/shop.Products/Delete");
        call.headers().set("host", "product-service").set("content-type", "application/grpc");
        grpc.send(call);
        grpc.send(LastHttpContent.EMPTY_LAST_CONTENT);
        HttpResponse response = (HttpResponse) grpc.next();
        assertThat(response.status().code()).isEqualTo(200);
        assertThat(response.headers().get("grpc-status")).isEqualTo("7");
      }
    }
  }

  private static int h2Status(H2Client h2, String path) throws Exception {
    H2Client.Stream stream = h2.open();
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    request.headers().set("host", "product-service");
    stream.send(request);
    stream.send(LastHttpContent.EMPTY_LAST_CONTENT);
    return ((HttpResponse) stream.next()).status().code();
  }

  @Test
  void thePathTheAppReceivesIsThePathThePolicyMatched() throws Exception {
    InboundPolicy policy = PolicyFixtures.compile("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-admin, namespace: my-app}
        spec:
          action: DENY
          rules: [{to: [{operation: {paths: [/admin, "/admin/*"]}}]}]
        """, PRODUCTS);
    int port = sidecar("product-service", policy).inboundPort();

    for (String bypass : List.of("/app/../admin", "/app/%2E./admin", "//admin", "/app/%2e%2e/admin/users")) {
      assertThat(RawHttp.send(port, "GET", bypass).status()).as(bypass).isEqualTo(403);
    }
    // A backslash is a separator to Envoy's normalize_path; a stricter parser may refuse it outright.
    assertThat(RawHttp.send(port, "GET", "\\admin").status()).isIn(400, 403);
    assertThat(RawHttp.send(port, "GET", "/admin%00").status()).isEqualTo(400);
    assertThat(app.requests.get()).isZero();

    assertThat(RawHttp.send(port, "GET", "/Admin").status()).isEqualTo(200);
    assertThat(received()).isEqualTo("/Admin");
    assertThat(RawHttp.send(port, "GET", "/app/./x/../%7Euser//y?next=/../admin").status()).isEqualTo(200);
    assertThat(received()).isEqualTo("/app/~user/y?next=/../admin");
  }

  @Test
  void jwtInvalidIs401MissingPassesOnAndRequestPrincipalsAuthorize() throws Exception {
    InboundPolicy policy = PolicyFixtures.compile(
        PolicyFixtures.requestAuthentication("my-app", "product-service", "outputPayloadToHeader: x-jwt-payload") + """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: jwt-for-orders, namespace: my-app}
        spec:
          rules:
          - from: [{source: {requestPrincipals: ["https://auth.example.com/*"]}}]
            to: [{operation: {paths: ["/orders/*"]}}]
          - to: [{operation: {paths: ["/public/*"]}}]
        """, PRODUCTS);
    int port = sidecar("product-service", policy).inboundPort();

    Response invalid = RawHttp.send(port, "GET", "/public/x", "authorization", "Bearer not.a.jwt");
    assertThat(invalid.status()).isEqualTo(401);
    assertThat(invalid.headers().get("www-authenticate")).endsWith("error=\"invalid_token\"");
    assertThat(RawHttp.send(port, "GET", "/orders/1").status()).isEqualTo(403);
    assertThat(app.requests.get()).isZero();

    assertThat(RawHttp.send(port, "GET", "/public/x").status()).isEqualTo(200);
    assertThat(received()).isEqualTo("/public/x");
    assertThat(RawHttp.send(port, "GET", "/orders/1", "authorization", "Bearer " + token("alice")).status())
        .isEqualTo(200);
    HttpRequest head = app.received.poll(5, TimeUnit.SECONDS);
    assertThat(head.headers().contains("authorization")).isFalse();
    assertThat(head.headers().get("x-jwt-payload")).isNotBlank();
  }

  @Test
  void aSidecarPresentsItsApiKeyAndTheCalledSidecarRequiresIt() throws Exception {
    String keys = """
        apiVersion: meshwork.io/v1alpha1
        kind: ApiKey
        metadata: {name: orders-key, namespace: my-app}
        spec: {clientId: orders, clientName: Order service, secretHash: "%s", services: [product-service]}
        """.formatted(ApiKeyRequirement.hash("s3cret"));
    LocalService products = new LocalService("product-service", "my-app", Map.of(ApiKeyRequirement.REQUIRE_LABEL, "true"));
    int inbound = sidecar("product-service", PolicyFixtures.compile(keys, products)).inboundPort();

    assertThat(RawHttp.send(inbound, "GET", "/api/products/1").status()).isEqualTo(401);
    assertThat(RawHttp.send(inbound, "GET", "/api/products/1", "otoroshi-client-id", "orders",
        "otoroshi-client-secret", "wrong").status()).isEqualTo(401);
    assertThat(app.requests.get()).isZero();

    SnapshotRef outbound = Meshes.snapshot(Meshes.host("product-service",
        Meshes.forward(Meshes.cluster("product-service", new InetSocketAddress("127.0.0.1", inbound)))));
    Sidecar orders = Sidecar.start(SidecarSettings.defaults("order-service").withIoThreads(1)
        .withUpstreams(Map.of("product-service", 0))
        .withOutboundApiKey(new ApiKeyCredentials("orders", "s3cret")), outbound);
    open.add(orders);

    Response viaMesh = RawHttp.send(orders.upstreamPort("product-service"), "GET", "/api/products/1");
    assertThat(viaMesh.status()).isEqualTo(200);
    HttpRequest head = app.received.poll(5, TimeUnit.SECONDS);
    assertThat(head.uri()).isEqualTo("/api/products/1");
    assertThat(head.headers().get("otoroshi-client-id")).isEqualTo("orders");
    assertThat(head.headers().contains("otoroshi-client-secret")).as("the secret stops at the sidecar").isFalse();
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
