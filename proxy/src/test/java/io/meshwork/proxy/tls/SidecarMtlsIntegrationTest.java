package io.meshwork.proxy.tls;

import static io.meshwork.proxy.tls.MeshFixture.compile;
import static io.meshwork.proxy.tls.MeshFixture.peerAuthentication;
import static io.meshwork.proxy.tls.MeshFixture.workload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.SnapshotRef;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two sidecars over real sockets: orders calls products through its sidecar, and the products
 * sidecar's inbound port enforces PeerAuthentication.
 */
class SidecarMtlsIntegrationTest {
  static final LocalService ORDERS = new LocalService("orders", "shop");
  static final LocalService PRODUCTS = new LocalService("products", "shop");

  final MeshFixture mesh = new MeshFixture();
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  TestCa ca;
  Sidecar products;
  SnapshotRef productsConfig;
  InetSocketAddress productsApp;

  @BeforeEach
  void setUp() throws Exception {
    ca = new TestCa("mesh-root");
    productsApp = mesh.app("products");
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    mesh.close();
  }

  void startProducts(String policies) throws Exception {
    productsConfig = new SnapshotRef(compile(policies.isEmpty() ? workload("self", "products", 1, "") : policies, PRODUCTS));
    products = mesh.sidecar("products", productsApp, Map.of(), productsConfig,
        ca.fixedIdentity(TestCa.workload("shop", "products")));
  }

  /** The orders sidecar with an upstream port for products and extra YAML (rules) for its snapshot. */
  Sidecar startOrders(String extra, WorkloadIdentity identity) {
    SnapshotRef config = new SnapshotRef(compile(workload("products-1", "products", products.inboundPort(), MeshFixture.MESH_LABEL)
        + extra, ORDERS));
    return mesh.sidecar("orders", null, Map.of("products", 0), config, identity);
  }

  HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void strictAcceptsTheMeshAndRefusesPlaintext() throws Exception {
    startProducts(peerAuthentication("default", "mtls: {mode: STRICT}"));
    Sidecar orders = startOrders("", ca.fixedIdentity(TestCa.workload("shop", "orders")));

    HttpResponse<String> viaMesh = get(orders.upstreamPort("products"), "/items");
    assertThat(viaMesh.statusCode()).isEqualTo(200);
    assertThat(viaMesh.body()).isEqualTo("products /items");

    assertThatThrownBy(() -> get(products.inboundPort(), "/items")).isInstanceOf(IOException.class);
    // The JDK client retries an idempotent request once on a closed connection.
    assertThat(products.inboundTls().refusedPlaintext()).isBetween(1L, 2L);
  }

  @Test
  void strictRefusesASidecarWithoutIdentity() throws Exception {
    startProducts(peerAuthentication("default", "mtls: {mode: STRICT}"));
    Sidecar orders = startOrders("", null);
    assertThat(get(orders.upstreamPort("products"), "/items").statusCode()).isBetween(502, 503);
    assertThat(products.inboundTls().refusedPlaintext()).isPositive();
  }

  @Test
  void strictRefusesACertificateFromAnotherAuthority() throws Exception {
    startProducts(peerAuthentication("default", "mtls: {mode: STRICT}"));
    TestCa rogue = new TestCa("rogue-root");
    Sidecar orders = startOrders("", rogue.fixedIdentity(TestCa.workload("shop", "orders")));
    assertThat(get(orders.upstreamPort("products"), "/items").statusCode()).isBetween(502, 503);
    // The client may see its failure before the server's side of the handshake has been counted.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (products.inboundTls().failedHandshakes() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(products.inboundTls().failedHandshakes()).isPositive();
  }

  @Test
  void permissiveIsTheDefaultAndAcceptsBoth() throws Exception {
    startProducts("");
    Sidecar orders = startOrders("", ca.fixedIdentity(TestCa.workload("shop", "orders")));
    assertThat(get(orders.upstreamPort("products"), "/a").body()).isEqualTo("products /a");
    assertThat(get(products.inboundPort(), "/b").body()).isEqualTo("products /b");
    assertThat(products.inboundTls().refusedPlaintext()).isZero();
  }

  @Test
  void disableTakesPlaintextOnlyAndDestinationRuleDisableSendsIt() throws Exception {
    startProducts(peerAuthentication("default", "mtls: {mode: DISABLE}"));
    assertThat(get(products.inboundPort(), "/plain").body()).isEqualTo("products /plain");

    Sidecar autoMtls = startOrders("", ca.fixedIdentity(TestCa.workload("shop", "orders")));
    assertThat(get(autoMtls.upstreamPort("products"), "/tls").statusCode()).isNotEqualTo(200);

    Sidecar plaintext = startOrders("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: products, namespace: shop}
        spec:
          host: products
          trafficPolicy: {tls: {mode: DISABLE}}
        """, ca.fixedIdentity(TestCa.workload("shop", "orders")));
    assertThat(get(plaintext.upstreamPort("products"), "/plain").body()).isEqualTo("products /plain");
  }

  @Test
  void portLevelMtlsOverridesTheWorkloadMode() throws Exception {
    String strictExceptApp = peerAuthentication("products", """
        selector: {matchLabels: {app: products}}
        mtls: {mode: STRICT}
        portLevelMtls:
          %d: {mode: PERMISSIVE}""".formatted(productsApp.getPort()));
    startProducts(strictExceptApp);
    assertThat(get(products.inboundPort(), "/plain").body()).isEqualTo("products /plain");

    productsConfig.set(compile(peerAuthentication("products", """
        selector: {matchLabels: {app: products}}
        mtls: {mode: PERMISSIVE}
        portLevelMtls:
          %d: {mode: STRICT}""".formatted(productsApp.getPort())), PRODUCTS));
    // The swap applies to new connections; the first client's keep-alive connection would stay plaintext.
    try (HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      assertThatThrownBy(() -> fresh.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + products.inboundPort()
          + "/plain")).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }
  }

  @Test
  void autoMtlsLeavesEndpointsWithoutTheIstioTlsModeLabelPlaintext() throws Exception {
    startProducts(peerAuthentication("default", "mtls: {mode: DISABLE}"));
    SnapshotRef config = new SnapshotRef(compile(workload("products-1", "products", products.inboundPort(), ""), ORDERS));
    Sidecar orders = mesh.sidecar("orders", null, Map.of("products", 0), config,
        ca.fixedIdentity(TestCa.workload("shop", "orders")));
    assertThat(get(orders.upstreamPort("products"), "/plain").body()).isEqualTo("products /plain");
  }
}
