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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code trafficPolicy.retryBudget} from Istio YAML through a real sidecar (two event loops) to a
 * real server in an outage (every answer a slow 503): the retries it sees at once stay within the
 * budget, however many callers retry.
 */
@Timeout(60)
class RetryBudgetIntegrationTest {
  private final ExecutorService backendThreads = Executors.newFixedThreadPool(32);
  private final AtomicInteger retriesInFlight = new AtomicInteger();
  private final AtomicInteger mostRetriesInFlight = new AtomicInteger();
  private final AtomicInteger retriesServed = new AtomicInteger();
  private final AtomicInteger served = new AtomicInteger();
  private HttpServer server;
  private Sidecar sidecar;

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    if (server != null) {
      server.stop(0);
    }
    backendThreads.shutdownNow();
  }

  /** Answers every request with 503 after 50 ms, counting the retries (attempt 2 or later) it holds at once. */
  private int failingBackend() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(backendThreads);
    server.createContext("/", exchange -> {
      served.incrementAndGet();
      String attempt = exchange.getRequestHeaders().getFirst("x-envoy-attempt-count");
      boolean retry = attempt != null && !attempt.equals("1");
      if (retry) {
        mostRetriesInFlight.accumulateAndGet(retriesInFlight.incrementAndGet(), Math::max);
        retriesServed.incrementAndGet();
      }
      try {
        Thread.sleep(50);
        exchange.sendResponseHeaders(503, -1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        if (retry) {
          retriesInFlight.decrementAndGet();
        }
        exchange.close();
      }
    });
    server.start();
    return server.getAddress().getPort();
  }

  @Test
  void retriesInAnOutageStayWithinTheBudget() throws Exception {
    String yaml = Resources.workload("down-1", "shop", "down", "127.0.0.1", "http: " + failingBackend(), "") + """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: down, namespace: shop}
        spec:
          host: down
          trafficPolicy:
            retryBudget: {percent: 0, minRetryConcurrency: 1}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: down, namespace: shop}
        spec:
          hosts: [down]
          http:
          - route: [{destination: {host: down}}]
            retries: {attempts: 3, retryOn: 5xx}
        """;
    MeshSnapshot snapshot = new SnapshotCompiler().compile(1, Resources.yaml(yaml), new LocalService("web", "shop"));
    assertThat(snapshot.notices()).noneMatch(n -> n.contains("retryBudget"));
    sidecar = Sidecar.start(SidecarSettings.defaults("web").withIoThreads(2), new SnapshotRef(snapshot));

    List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
    int callers = 10;
    for (int i = 0; i < callers; i++) {
      HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      calls.add(c.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/"))
          .header("dapr-app-id", "down").timeout(Duration.ofSeconds(30)).GET().build(), BodyHandlers.discarding()));
    }
    for (CompletableFuture<HttpResponse<Void>> call : calls) {
      assertThat(call.get().statusCode()).isEqualTo(503);
    }
    // One retry at a time at most, and fewer retries than callers: the 30 the routes allow would
    // have quadrupled the load of the outage; a retry refused by the budget is not queued.
    assertThat(mostRetriesInFlight.get()).isEqualTo(1);
    assertThat(retriesServed.get()).isBetween(1, callers - 1);
    assertThat(served.get()).isEqualTo(callers + retriesServed.get());
  }
}
