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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A sidecar that should have a workload identity and has none fails closed, over real sockets: it
 * is not ready and says why, STRICT refuses every inbound connection, a principal-requiring
 * AuthorizationPolicy denies plaintext under PERMISSIVE, and its own ISTIO_MUTUAL calls fail
 * rather than going out in plaintext. The retry is run by hand; once the CA answers, the sidecar is
 * ready and speaks mutual TLS.
 */
@Timeout(60)
class FailClosedIdentityTest {
  static final LocalService ORDERS = new LocalService("orders", "shop");
  static final LocalService PRODUCTS = new LocalService("products", "shop");
  static final String ORDERS_ONLY = """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: orders-only, namespace: shop}
      spec:
        action: ALLOW
        rules:
        - from: [{source: {principals: ["cluster.local/ns/shop/sa/orders"]}}]
      ---
      """;

  final MeshFixture mesh = new MeshFixture();
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  final List<Runnable> retries = new ArrayList<>();
  TestCa ca;
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

  /** A renewing identity for products whose CA refuses at first; its retries wait in {@link #retries}. */
  WorkloadIdentity refusedProducts() {
    ca.failing = true;
    return mesh.add(WorkloadIdentity.renewing(ca, () -> TestCa.workload("shop", "products"), Duration.ofHours(1),
        Clock.systemUTC(), (task, delay) -> retries.add(task), () -> { }, () -> 0.5));
  }

  /** The CA answers again and the pending retry runs. */
  void caRecovers() {
    ca.failing = false;
    List<Runnable> due = List.copyOf(retries);
    retries.clear();
    due.forEach(Runnable::run);
  }

  Sidecar products(String policies, WorkloadIdentity identity) {
    return mesh.sidecar("products", productsApp, Map.of(), new SnapshotRef(compile(
        policies + workload("self", "products", 1, ""), PRODUCTS)), identity);
  }

  Sidecar orders(Sidecar products, WorkloadIdentity identity) {
    return mesh.sidecar("orders", null, Map.of("products", 0), new SnapshotRef(compile(
        workload("products-1", "products", products.inboundPort(), MeshFixture.MESH_LABEL), ORDERS)), identity);
  }

  HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void strictWithoutACertificateIsNotReadyAndRefusesUntilTheCertificateComes() throws Exception {
    Sidecar products = products(peerAuthentication("default", "mtls: {mode: STRICT}"), refusedProducts());
    Sidecar orders = orders(products, ca.fixedIdentity(TestCa.workload("shop", "orders")));

    HttpResponse<String> ready = get(products.adminPort(), "/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).startsWith("not ready: no workload identity: certificate request failed: CA unavailable;"
        + " retrying in ");
    assertThatThrownBy(() -> get(products.inboundPort(), "/plain")).isInstanceOf(IOException.class);
    assertThat(products.inboundTls().refusedPlaintext()).isPositive();
    assertThat(get(orders.upstreamPort("products"), "/mesh").statusCode()).isBetween(502, 503);
    assertThat(products.inboundTls().refusedWithoutIdentity()).isPositive();

    caRecovers();
    assertThat(get(products.adminPort(), "/ready").statusCode()).isEqualTo(200);
    HttpResponse<String> viaMesh = get(orders.upstreamPort("products"), "/mesh");
    assertThat(viaMesh.statusCode()).isEqualTo(200);
    assertThat(viaMesh.body()).isEqualTo("products /mesh");
    assertThat(products.inboundTls().mutualTlsConnections()).isPositive();
    assertThatThrownBy(() -> get(products.inboundPort(), "/plain")).isInstanceOf(IOException.class);
  }

  @Test
  void permissiveWithoutACertificateDeniesPlaintextWherePolicyWantsAPrincipal() throws Exception {
    Sidecar products = products(ORDERS_ONLY, refusedProducts());
    HttpResponse<String> plain = get(products.inboundPort(), "/items");
    assertThat(plain.statusCode()).isEqualTo(403);

    caRecovers();
    Sidecar orders = orders(products, ca.fixedIdentity(TestCa.workload("shop", "orders")));
    assertThat(get(orders.upstreamPort("products"), "/items").body()).isEqualTo("products /items");
    assertThat(get(products.inboundPort(), "/items").statusCode()).as("still no principal in plaintext").isEqualTo(403);
  }

  @Test
  void aCallerWithoutACertificateNeverSendsPlaintextToAMutualTlsPeer() throws Exception {
    // products is PERMISSIVE: it would take plaintext, so only the caller can keep the request encrypted.
    Sidecar products = products("", ca.fixedIdentity(TestCa.workload("shop", "products")));
    ca.failing = true;
    WorkloadIdentity pending = mesh.add(WorkloadIdentity.renewing(ca, () -> TestCa.workload("shop", "orders"),
        Duration.ofHours(1), Clock.systemUTC(), (task, delay) -> retries.add(task), () -> { }, () -> 0.5));
    Sidecar orders = orders(products, pending);
    assertThat(get(orders.upstreamPort("products"), "/secret").statusCode()).isBetween(502, 503);
    assertThat(products.inboundTls().mutualTlsConnections()).isZero();
    assertThat(get(orders.adminPort(), "/ready").statusCode()).isEqualTo(503);

    caRecovers();
    assertThat(get(orders.upstreamPort("products"), "/secret").body()).isEqualTo("products /secret");
    assertThat(products.inboundTls().mutualTlsConnections()).isPositive();
  }
}
