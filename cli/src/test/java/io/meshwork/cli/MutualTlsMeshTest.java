package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.discovery.CertificateClient;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
import io.meshwork.proxy.security.CsrFactory;
import io.meshwork.proxy.security.WorkloadCsr;
import io.meshwork.proxy.tls.CertificateAuthority;
import io.meshwork.proxy.tls.WorkloadIdentity;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS through the real control plane's CA: two sidecars get their SVIDs with join tokens,
 * the acceptance case's PeerAuthentication (STRICT in namespace my-app) is applied, and
 * order-service reaches product-service over mTLS while a plaintext client is refused.
 */
@Timeout(60)
class MutualTlsMeshTest {
  /** The acceptance case's PeerAuthentication, as written in the design document. */
  static final String STRICT_MY_APP = """
      apiVersion: security.istio.io/v1beta1
      kind: PeerAuthentication
      metadata:
        name: default
        namespace: my-app
      spec:
        mtls:
          mode: STRICT  # Enforce mTLS for all services
      """;

  @TempDir Path data;
  final List<AutoCloseable> open = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void closeAll() throws Exception {
    http.close();
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  ControlPlaneClient client(ControlPlane plane, String token) {
    return track(new ControlPlaneClient(URI.create(plane.url()),
        new ControlPlaneAuth(token, ControlPlaneAuth.trusting(plane.trustBundleFile()))));
  }

  InetSocketAddress app(String name) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = (name + " " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    open.add(() -> server.stop(0));
    return server.getAddress();
  }

  HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void certificatesRenewOverMutualTlsWithoutTheTokenAndTheBundleIsPolledByEntityTag() throws Exception {
    ControlPlane plane = track(ControlPlane.start(new ControlPlaneSettings(data, new InetSocketAddress("127.0.0.1", 0))));
    ControlPlaneClient joining = client(plane, plane.joinToken("order-service", "my-app", Duration.ofHours(1)));
    WorkloadIdentity first = CertificateClient.obtain(joining, "my-app", "order-service", Duration.ofHours(1));
    track(first);
    assertThat(first.id()).isEqualTo(SpiffeId.forWorkload("cluster.local", "my-app", "order-service"));

    // No token: the current certificate is the credential (the control plane speaks HTTPS).
    CertificateClient tokenless = new CertificateClient(URI.create(plane.url()),
        new ControlPlaneAuth(null, ControlPlaneAuth.trusting(plane.trustBundleFile())));
    WorkloadCsr csr = CsrFactory.create(first.id());
    CertificateAuthority.Issued renewed = tokenless.issue(csr, Duration.ofMinutes(10), first.current());
    assertThat(renewed.chain().getFirst().getPublicKey()).isEqualTo(csr.keyPair().getPublic());
    assertThatThrownBy(() -> tokenless.issue(CsrFactory.create(first.id()), Duration.ofMinutes(10), null))
        .isInstanceOf(IOException.class);

    CertificateAuthority.Bundle bundle = tokenless.trustBundle(null).orElseThrow();
    assertThat(bundle.anchors().roots()).isEqualTo(first.current().bundle().roots());
    assertThat(tokenless.trustBundle(bundle.etag())).isEmpty();
  }

  @Test
  void sidecarsTalkMutualTlsWithCertificatesFromTheControlPlane() throws Exception {
    ControlPlane plane = track(ControlPlane.start(new ControlPlaneSettings(data, new InetSocketAddress("127.0.0.1", 0))));
    ControlPlaneClient admin = client(plane, Files.readString(plane.adminTokenFile()).strip());
    admin.applyAll(ResourceParser.parse("seed-004.yaml", STRICT_MY_APP).resources());

    InetSocketAddress productsApp = app("product-service");
    SidecarRuntime products = track(SidecarRuntime.fromControlPlane(
        new SidecarSettings("product-service", "my-app", URI.create("http://127.0.0.1:" + productsApp.getPort()),
            "127.0.0.1", 0, 0, 0, Map.of(), 1),
        client(plane, plane.joinToken("product-service", "my-app", Duration.ofHours(1))), plane.url(), Map.of()));
    SidecarRuntime orders = track(SidecarRuntime.fromControlPlane(
        new SidecarSettings("order-service", "my-app", null, "127.0.0.1", 0, 0, 0, Map.of("product-service", 0), 1),
        client(plane, plane.joinToken("order-service", "my-app", Duration.ofHours(1))), plane.url(), Map.of()));
    Sidecar inbound = products.sidecar();
    int outbound = orders.sidecar().upstreamPort("product-service");

    // The registration reaches order-service's snapshot through the watch.
    HttpResponse<String> response = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      response = get(outbound, "/api/products/1");
      if (response.statusCode() == 200) {
        break;
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    assertThat(response).isNotNull();
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("product-service /api/products/1");
    assertThat(inbound.inboundTls().mutualTlsConnections()).isPositive();

    assertThatThrownBy(() -> get(inbound.inboundPort(), "/api/products/1")).isInstanceOf(IOException.class);
    assertThat(inbound.inboundTls().refusedPlaintext()).isPositive();
  }
}
