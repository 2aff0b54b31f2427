package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control-plane sidecar whose certificate request the real CA refuses fails closed: it is not
 * ready (and says why), refuses plaintext under STRICT, and is not registered, so peers do not
 * route to it. Once its join token is right, the next retry gets the certificate; the sidecar turns
 * ready, registers, and serves mutual TLS.
 */
@Timeout(120)
class IdentityFailClosedTest {
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

  /** Polls until the status satisfies {@code done}, for up to {@code seconds}; returns the last answer. */
  HttpResponse<String> await(int port, String path, IntPredicate done, int seconds) throws Exception {
    HttpResponse<String> last = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      last = get(port, path);
      if (done.test(last.statusCode())) {
        return last;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return last;
  }

  @Test
  void aRefusedCertificateRequestKeepsTheSidecarOutOfServiceUntilTheCaIssues() throws Exception {
    ControlPlane plane = track(ControlPlane.start(new ControlPlaneSettings(data, new InetSocketAddress("127.0.0.1", 0))));
    String adminToken = Files.readString(plane.adminTokenFile()).strip();
    client(plane, adminToken).applyAll(ResourceParser.parse("strict.yaml", MutualTlsMeshTest.STRICT_MY_APP).resources());

    // The admin token reads and registers, but names no workload: the CA refuses it a certificate (403).
    AtomicReference<String> joinToken = new AtomicReference<>(adminToken);
    InetSocketAddress productsApp = app("product-service");
    SidecarRuntime products = track(SidecarRuntime.fromControlPlane(
        new SidecarSettings("product-service", "my-app", URI.create("http://127.0.0.1:" + productsApp.getPort()),
            "127.0.0.1", 0, 0, 0, Map.of(), 1),
        client(plane, adminToken), plane.url(), Map.of(), "127.0.0.1", joinToken::get));
    SidecarRuntime orders = track(SidecarRuntime.fromControlPlane(
        new SidecarSettings("order-service", "my-app", null, "127.0.0.1", 0, 0, 0, Map.of("product-service", 0), 1),
        client(plane, plane.joinToken("order-service", "my-app", Duration.ofHours(1))), plane.url(), Map.of()));
    int admin = products.sidecar().adminPort();
    int outbound = orders.sidecar().upstreamPort("product-service");

    HttpResponse<String> ready = get(admin, "/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).startsWith("not ready: no workload identity: certificate request failed: ")
        .contains("403 Forbidden", "the admin token names no workload").containsPattern("; retrying in \\d+s\n$");
    assertThat(get(orders.sidecar().adminPort(), "/ready").statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> get(products.sidecar().inboundPort(), "/api/products/1")).isInstanceOf(IOException.class);
    assertThat(products.sidecar().inboundTls().refusedPlaintext()).isPositive();
    // Not registered while it has no certificate: order-service knows no instance of product-service.
    assertThat(get(outbound, "/api/products/1").statusCode()).isEqualTo(404);

    joinToken.set(plane.joinToken("product-service", "my-app", Duration.ofHours(1)));
    assertThat(await(admin, "/ready", status -> status == 200, 60).statusCode()).isEqualTo(200);
    HttpResponse<String> viaMesh = await(outbound, "/api/products/1", status -> status == 200, 30);
    assertThat(viaMesh.statusCode()).as(viaMesh.body()).isEqualTo(200);
    assertThat(viaMesh.body()).isEqualTo("product-service /api/products/1");
    assertThat(products.sidecar().inboundTls().mutualTlsConnections()).isPositive();
    assertThatThrownBy(() -> get(products.sidecar().inboundPort(), "/api/products/1")).isInstanceOf(IOException.class);
  }
}
