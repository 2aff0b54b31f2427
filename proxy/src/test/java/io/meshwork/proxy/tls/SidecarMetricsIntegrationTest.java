package io.meshwork.proxy.tls;

import static io.meshwork.proxy.tls.MeshFixture.compile;
import static io.meshwork.proxy.tls.MeshFixture.peerAuthentication;
import static io.meshwork.proxy.tls.MeshFixture.workload;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.config.SnapshotRef;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two sidecars over real sockets and mutual TLS: orders calls products three times, and each
 * sidecar's admin {@code /metrics} counts the calls as Istio's reporter on its side would.
 */
class SidecarMetricsIntegrationTest {
  final MeshFixture mesh = new MeshFixture();
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    mesh.close();
  }

  HttpResponse<String> get(int port, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The istio_requests_total line of {@code reporter} once its count reaches {@code count}. */
  String requestsSeries(Sidecar sidecar, String reporter, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> metrics = get(sidecar.adminPort(), "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
      last = metrics.body();
      String line = last.lines()
          .filter(l -> l.startsWith("istio_requests_total{") && l.contains("reporter=\"" + reporter + "\""))
          .findFirst().orElse("");
      if (line.endsWith(" " + count + ".0")) {
        return line;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no istio_requests_total with reporter " + reporter + " and count " + count + " in\n" + last);
  }

  @Test
  void bothSidesReportTheCallsOverMutualTls() throws Exception {
    TestCa ca = new TestCa("mesh-root");
    InetSocketAddress productsApp = mesh.app("products");
    Sidecar products = mesh.sidecar("products", productsApp, Map.of(),
        new SnapshotRef(compile(peerAuthentication("default", "mtls: {mode: STRICT}"), SidecarMtlsIntegrationTest.PRODUCTS)),
        ca.fixedIdentity(TestCa.workload("shop", "products")));
    Sidecar orders = mesh.sidecar("orders", null, Map.of("products", 0),
        new SnapshotRef(compile(workload("products-1", "products", products.inboundPort(), MeshFixture.MESH_LABEL),
            SidecarMtlsIntegrationTest.ORDERS)),
        ca.fixedIdentity(TestCa.workload("shop", "orders")));

    for (int i = 0; i < 3; i++) {
      assertThat(get(orders.upstreamPort("products"), "/items/" + i).statusCode()).isEqualTo(200);
    }

    assertThat(requestsSeries(orders, "source", 3)).contains(
        "source_workload=\"orders\"", "source_workload_namespace=\"shop\"",
        "source_principal=\"spiffe://cluster.local/ns/shop/sa/orders\"", "destination_service_name=\"products\"",
        "response_code=\"200\"", "response_flags=\"-\"", "request_protocol=\"http\"");
    assertThat(requestsSeries(products, "destination", 3)).contains(
        "source_workload=\"orders\"", "source_principal=\"spiffe://cluster.local/ns/shop/sa/orders\"",
        "destination_workload=\"products\"", "destination_workload_namespace=\"shop\"",
        "destination_principal=\"spiffe://cluster.local/ns/shop/sa/products\"",
        "connection_security_policy=\"mutual_tls\"", "response_code=\"200\"");
    String histogram = get(products.adminPort(), "/metrics").body();
    assertThat(histogram).containsPattern("istio_request_duration_milliseconds_count\\{[^}]*reporter=\"destination\"[^}]*} 3");
  }
}
