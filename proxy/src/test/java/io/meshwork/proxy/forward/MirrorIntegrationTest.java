package io.meshwork.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * VirtualService {@code mirror} and {@code mirrors} through a real sidecar, called by the JDK's HTTP
 * client through the proxy port: the shadow gets the same request (body included) with
 * {@code -shadow} on the host, its answer is thrown away, and the primary is unaffected when the
 * shadow hangs or is down; {@code mirrorPercentage} takes its share.
 */
@Timeout(60)
class MirrorIntegrationTest {
  static final LocalService FRONTEND = new LocalService("frontend", "default");

  final List<AutoCloseable> closeables = new ArrayList<>();
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  final List<String> shadowSaw = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    client.close();
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  TestBackend backend(String name, boolean answers) {
    TestBackend b = TestBackend.http1((request, n) -> {
      if (name.startsWith("shadow")) {
        shadowSaw.add(request.method() + " " + request.uri() + " host=" + request.headers().get("host") + " body="
            + request.content().toString(StandardCharsets.UTF_8));
      }
      return answers ? TestBackend.text(HttpResponseStatus.OK, name + " " + request.uri()) : null;
    });
    closeables.add(b);
    return b;
  }

  Sidecar sidecar(int productsPort, int shadowPort, int shadow2Port, String mirrorYaml) {
    String yaml = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: products-1, namespace: default}
        spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: products}}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: shadow-1, namespace: default}
        spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: shadow}}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: shadow2-1, namespace: default}
        spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: shadow2}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: products, namespace: default}
        spec:
          hosts: [products]
          http:
          - route: [{destination: {host: products}}]
        %s
        """.formatted(productsPort, shadowPort, shadow2Port, mirrorYaml.indent(2));
    ParseResult parsed = ResourceParser.parse("mesh.yaml", yaml);
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    MeshSnapshot snapshot = new SnapshotCompiler().compile(1, parsed.resources(), FRONTEND);
    assertThat(snapshot.notices()).noneMatch(n -> n.contains("mirror"));
    Sidecar sidecar = Sidecar.start(SidecarSettings.defaults("frontend").withIoThreads(1), new SnapshotRef(snapshot));
    closeables.add(sidecar);
    return sidecar;
  }

  HttpResponse<String> post(Sidecar sidecar, String path, String body) throws Exception {
    HttpClient proxied = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", sidecar.httpPort()))).build();
    try (proxied) {
      return proxied.send(HttpRequest.newBuilder(URI.create("http://products" + path))
          .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  void awaitShadows(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (shadowSaw.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  @Test
  void theShadowGetsTheSameRequestWithShadowOnTheHostAndItsAnswerIsDropped() throws Exception {
    TestBackend products = backend("products", true);
    TestBackend shadow = backend("shadow", true);
    Sidecar sidecar = sidecar(products.address().getPort(), shadow.address().getPort(), 1,
        "  mirror: {host: shadow}\n  mirrorPercentage: {value: 100}");

    HttpResponse<String> response = post(sidecar, "/orders?x=1", "{\"id\":7}");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("products /orders?x=1");
    awaitShadows(1);
    assertThat(shadowSaw).containsExactly("POST /orders?x=1 host=products-shadow body={\"id\":7}");
    assertThat(sidecar.mirrors().answered()).isEqualTo(1);
  }

  @Test
  void aShadowThatHangsOrIsDownNeverHoldsUpThePrimary() throws Exception {
    TestBackend products = backend("products", true);
    TestBackend hanging = backend("shadow-hanging", false);
    int down;
    try (ServerSocket s = new ServerSocket(0)) {
      down = s.getLocalPort();
    }
    Sidecar sidecar = sidecar(products.address().getPort(), hanging.address().getPort(), down,
        "  mirrors:\n  - destination: {host: shadow}\n  - destination: {host: shadow2}");
    for (int i = 0; i < 5; i++) {
      long started = System.nanoTime();
      HttpResponse<String> response = post(sidecar, "/p" + i, "x".repeat(1000));
      long ms = (System.nanoTime() - started) / 1_000_000;
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(ms).as("the primary does not wait for a shadow that never answers").isLessThan(3_000);
    }
    awaitShadows(5);
    assertThat(shadowSaw).hasSize(5);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sidecar.mirrors().view().get("failed") < 5 && System.nanoTime() < deadline) {
      // The refused connects are counted on the sidecar's loop, possibly after the primary answered.
      Thread.sleep(10);
    }
    assertThat(sidecar.mirrors().view().get("failed")).as("the shadow that is down fails on its own").isEqualTo(5);
  }

  @Test
  void mirrorPercentageTakesItsShare() throws Exception {
    TestBackend products = backend("products", true);
    TestBackend shadow = backend("shadow", true);
    Sidecar sidecar = sidecar(products.address().getPort(), shadow.address().getPort(), 1,
        "  mirror: {host: shadow}\n  mirrorPercentage: {value: 50}");
    int n = 200;
    for (int i = 0; i < n; i++) {
      assertThat(post(sidecar, "/q", "").statusCode()).isEqualTo(200);
    }
    Thread.sleep(300);
    // Binomial(200, 0.5): mean 100, standard deviation about 7; five of them either way.
    assertThat(shadowSaw.size()).isBetween(65, 135);
  }
}
