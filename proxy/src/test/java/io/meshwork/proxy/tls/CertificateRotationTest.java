package io.meshwork.proxy.tls;

import static io.meshwork.proxy.tls.MeshFixture.compile;
import static io.meshwork.proxy.tls.MeshFixture.peerAuthentication;
import static io.meshwork.proxy.tls.MeshFixture.workload;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.SnapshotRef;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Certificates that live 3 s, renewed at half-life by both sidecars while requests flow through
 * them for 8 s over STRICT mutual TLS: not one request may fail.
 */
class CertificateRotationTest {
  static final Duration TTL = Duration.ofSeconds(3);
  static final Duration LOAD = Duration.ofSeconds(8);

  @Test
  void shortLivedCertificatesRotateUnderLoadWithoutAFailedRequest() throws Exception {
    TestCa ca = new TestCa("root");
    try (MeshFixture mesh = new MeshFixture();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      WorkloadIdentity productsId = mesh.add(WorkloadIdentity.renewing(ca, TestCa.workload("shop", "products"), TTL));
      WorkloadIdentity ordersId = mesh.add(WorkloadIdentity.renewing(ca, TestCa.workload("shop", "orders"), TTL));
      Sidecar products = mesh.sidecar("products", mesh.app("products"), Map.of(),
          new SnapshotRef(compile(peerAuthentication("default", "mtls: {mode: STRICT}"),
              new LocalService("products", "shop"))), productsId);
      // A new connection every few requests, so handshakes keep happening with whichever certificate is current.
      Sidecar orders = mesh.sidecar("orders", null, Map.of("products", 0), new SnapshotRef(compile(
          workload("products-1", "products", products.inboundPort(), MeshFixture.MESH_LABEL) + """
              apiVersion: networking.istio.io/v1
              kind: DestinationRule
              metadata: {name: products, namespace: shop}
              spec:
                host: products
                trafficPolicy: {connectionPool: {http: {maxRequestsPerConnection: 25}}}
              """, new LocalService("orders", "shop"))), ordersId);
      List<String> serials = new ArrayList<>();
      ordersId.onChange(c -> serials.add(c.leaf().getSerialNumber().toString(16)));

      URI uri = URI.create("http://127.0.0.1:" + orders.upstreamPort("products") + "/rotate");
      long deadline = System.nanoTime() + LOAD.toNanos();
      int requests = 0;
      List<String> failures = new ArrayList<>();
      while (System.nanoTime() < deadline) {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        requests++;
        if (response.statusCode() != 200 || !response.body().equals("products /rotate")) {
          failures.add(response.statusCode() + " " + response.body());
        }
      }
      assertThat(failures).as("failed of %d requests", requests).isEmpty();
      assertThat(requests).isGreaterThan(100);
      assertThat(serials).as("orders renewed its certificate at half-life").hasSizeGreaterThanOrEqualTo(3);
      assertThat(products.inboundTls().failedHandshakes()).isZero();
      assertThat(products.inboundTls().mutualTlsConnections()).as("new connections during the load")
          .isGreaterThanOrEqualTo(requests / 25);
    }
  }
}
