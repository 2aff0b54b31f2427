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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * retryOn {@code envoy-ratelimited} and {@code retriable-headers} from Istio YAML through a real
 * sidecar to a real HTTP server on 127.0.0.1, called by the JDK's HTTP client.
 */
@Timeout(60)
class RetryConditionsIntegrationTest {
  private final List<HttpServer> servers = new ArrayList<>();
  private final AtomicInteger served = new AtomicInteger();
  private Sidecar sidecar;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    servers.forEach(s -> s.stop(0));
  }

  /** Answers its first {@code refusals} requests with 429 and {@code header: value}, then 200. */
  private int backend(int refusals, String header, String value) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", exchange -> {
      int n = served.incrementAndGet();
      byte[] body = ((n <= refusals ? "refused " : "ok ") + n).getBytes(StandardCharsets.UTF_8);
      if (n <= refusals) {
        exchange.getResponseHeaders().add(header, value);
      }
      exchange.sendResponseHeaders(n <= refusals ? 429 : 200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    servers.add(server);
    return server.getAddress().getPort();
  }

  private MeshSnapshot startSidecar(int port, String retryOn) {
    String yaml = Resources.workload("limited-1", "shop", "limited", "127.0.0.1", "http: " + port, "") + """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: limited, namespace: shop}
        spec:
          hosts: [limited]
          http:
          - route: [{destination: {host: limited}}]
            retries: {attempts: 2, retryOn: "%s"}
        """.formatted(retryOn);
    MeshSnapshot snapshot = new SnapshotCompiler().compile(1, Resources.yaml(yaml), new LocalService("web", "shop"));
    sidecar = Sidecar.start(SidecarSettings.defaults("web").withIoThreads(1), new SnapshotRef(snapshot));
    return snapshot;
  }

  private HttpResponse<String> call(String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/"))
        .header("dapr-app-id", "limited").timeout(Duration.ofSeconds(20)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), BodyHandlers.ofString());
  }

  @Test
  void aRateLimitedAnswerIsRetriedUntilOneGetsThrough() throws Exception {
    MeshSnapshot snapshot = startSidecar(backend(2, "x-envoy-ratelimited", "true"), "envoy-ratelimited");
    assertThat(snapshot.notices()).noneMatch(n -> n.contains("retryOn"));
    HttpResponse<String> r = call();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok 3");
  }

  @Test
  void retriesRunOutAndTheLastRateLimitedAnswerIsPassedOn() throws Exception {
    startSidecar(backend(10, "x-envoy-ratelimited", "true"), "envoy-ratelimited");
    HttpResponse<String> r = call();
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.body()).isEqualTo("refused 3");
    assertThat(served.get()).isEqualTo(3);
  }

  @Test
  void aPlain429IsNotRetriedUnderEnvoyRateLimited() throws Exception {
    startSidecar(backend(1, "x-other", "1"), "envoy-ratelimited");
    HttpResponse<String> r = call();
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(served.get()).isEqualTo(1);
  }

  @Test
  void aResponseHeaderTheCallerNamesIsRetried() throws Exception {
    MeshSnapshot snapshot = startSidecar(backend(1, "x-try-later", "1"), "retriable-headers");
    assertThat(snapshot.notices()).noneMatch(n -> n.contains("retryOn"));
    HttpResponse<String> named = call("x-envoy-retriable-header-names", "x-busy,x-try-later");
    assertThat(named.statusCode()).isEqualTo(200);
    assertThat(named.body()).isEqualTo("ok 2");
  }

  @Test
  void withoutNamesRetriableHeadersRetriesNothing() throws Exception {
    startSidecar(backend(1, "x-try-later", "1"), "retriable-headers");
    HttpResponse<String> r = call();
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(served.get()).isEqualTo(1);
  }
}
