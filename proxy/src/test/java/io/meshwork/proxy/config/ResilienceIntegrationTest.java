package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Circuit breaking and fault injection from YAML through a real sidecar (two event loops) to real
 * HTTP servers on 127.0.0.1, as in Istio's circuit-breaking and fault-injection tasks.
 */
@Timeout(120)
class ResilienceIntegrationTest {
  private final List<HttpServer> servers = new ArrayList<>();
  private final ExecutorService backendThreads = Executors.newFixedThreadPool(16);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private final AtomicInteger served = new AtomicInteger();
  /** Released once the test saw what it waits for; the backend holds requests until then. */
  private final CountDownLatch release = new CountDownLatch(1);
  private Sidecar sidecar;

  @AfterEach
  void stop() {
    release.countDown();
    if (sidecar != null) {
      sidecar.close();
    }
    servers.forEach(s -> s.stop(0));
    backendThreads.shutdownNow();
  }

  /** A backend that counts concurrent requests; with {@code hold} it answers only once {@link #release} opens. */
  private int backend(boolean hold) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(backendThreads);
    server.createContext("/", exchange -> {
      mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        if (hold) {
          release.await(20, TimeUnit.SECONDS);
        }
        byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        served.incrementAndGet();
        inFlight.decrementAndGet();
        exchange.close();
      }
    });
    server.start();
    servers.add(server);
    return server.getAddress().getPort();
  }

  private void startSidecar(String yaml) {
    MeshSnapshot snapshot = new SnapshotCompiler().compile(1, Resources.yaml(yaml), new LocalService("web", "shop"));
    sidecar = Sidecar.start(SidecarSettings.defaults("web").withIoThreads(2), new SnapshotRef(snapshot));
  }

  private HttpRequest request(String app) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/"))
        .header("dapr-app-id", app).timeout(Duration.ofSeconds(30)).GET().build();
  }

  @Test
  void maxConnectionsOneWithOnePendingOverflowsTheRestAndHoldsAcrossEventLoops() throws Exception {
    startSidecar(Resources.workload("slow-1", "shop", "slow", "127.0.0.1", "http: " + backend(true), "") + """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: slow, namespace: shop}
        spec:
          host: slow
          trafficPolicy:
            connectionPool:
              tcp: {maxConnections: 1}
              http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}
        """);
    List<HttpClient> clients = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      // One client each: eight connections, spread over the sidecar's two event loops.
      HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      clients.add(c);
      calls.add(c.sendAsync(request("slow"), BodyHandlers.ofString()));
    }
    // Overflow is answered at once, while the one admitted request is still held by the backend.
    HttpResponse<String> first = CompletableFuture.anyOf(calls.toArray(CompletableFuture[]::new))
        .thenApply(r -> (HttpResponse<String>) r).get(30, TimeUnit.SECONDS);
    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(first.headers().firstValue("x-envoy-overloaded")).hasValue("true");
    release.countDown();
    int ok = 0;
    int overloaded = 0;
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      HttpResponse<String> r = call.get(30, TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        ok++;
      } else {
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("x-envoy-overloaded")).hasValue("true");
        overloaded++;
      }
    }
    // The held request and the one queued behind it succeed; a caller whose request reached the
    // sidecar only after a slot freed up may succeed too.
    assertThat(ok).isGreaterThanOrEqualTo(1);
    assertThat(overloaded).isGreaterThanOrEqualTo(1);
    assertThat(mostInFlight.get()).isEqualTo(1);
    clients.forEach(HttpClient::close);
  }

  @Test
  void anAbortAtFiftyPercentAbortsAboutHalf() throws Exception {
    startSidecar(Resources.workload("fast-1", "shop", "fast", "127.0.0.1", "http: " + backend(false), "") + """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: fast, namespace: shop}
        spec:
          hosts: [fast]
          http:
          - fault:
              abort: {httpStatus: 503, percentage: {value: 50}}
            route: [{destination: {host: fast}}]
        """);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    int aborted = 0;
    int n = 200;
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = client.send(request("fast"), BodyHandlers.ofString());
      if (r.statusCode() == 503) {
        assertThat(r.headers().firstValue("x-meshwork-error")).hasValue("fault_filter_abort");
        aborted++;
      } else {
        assertThat(r.statusCode()).isEqualTo(200);
      }
    }
    // Binomial(200, 0.5): 100 ± 40 is more than five standard deviations.
    assertThat(aborted).isBetween(60, 140);
    assertThat(served.get()).isEqualTo(n - aborted);
    client.close();
  }

  @Test
  void aDelayAtOneHundredPercentDelaysEveryRequest() throws Exception {
    startSidecar(Resources.workload("fast-1", "shop", "fast", "127.0.0.1", "http: " + backend(false), "") + """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: fast, namespace: shop}
        spec:
          hosts: [fast]
          http:
          - fault:
              delay: {fixedDelay: 200ms, percentage: {value: 100}}
            route: [{destination: {host: fast}}]
        """);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();
      HttpResponse<String> r = client.send(request("fast"), BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }
    client.close();
  }
}
