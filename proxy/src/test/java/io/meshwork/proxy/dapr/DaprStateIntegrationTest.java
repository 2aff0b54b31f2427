package io.meshwork.proxy.dapr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ModelMapper;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dapr's state and invocation APIs through real sidecars: an app's sidecar with state.sqlite (and
 * state.redis on a real redis-server the test starts), invoking another app through that app's own
 * sidecar, with a plain HTTP client as a Dapr app would use.
 */
@Timeout(60)
class DaprStateIntegrationTest {
  @TempDir
  Path dataDir;
  TestBackend products;
  final List<AutoCloseable> open = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  RedisServerProcess redis;

  @BeforeEach
  void start() {
    products = TestBackend.http1((r, n) -> TestBackend.text(HttpResponseStatus.OK, "products got " + r.uri()));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    products.close();
    if (redis != null) {
      redis.close();
    }
  }

  /** The products sidecar, and the orders sidecar with {@code components} and a route to products. */
  Sidecar orders(String components) {
    Sidecar productsSidecar = Sidecar.start(SidecarSettings.defaults("products").withIoThreads(1)
        .withTarget(URI.create("http://127.0.0.1:" + products.address().getPort())),
        new SnapshotRef(new SnapshotCompiler().compile(1, List.of(), new LocalService("products", "default"))));
    open.add(productsSidecar);
    ParseResult parsed = ResourceParser.parse("mesh.yaml", """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: products-1}
        spec:
          address: 127.0.0.1
          ports: {http: %d}
          labels: {app: products}
        ---
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: {name: private}
        spec:
          type: state.sqlite
        scopes: [payments]
        ---
        %s""".formatted(productsSidecar.inboundPort(), components));
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    MeshSnapshot snapshot = new SnapshotCompiler().compile(1, parsed.resources(), new LocalService("orders", "default"));
    Sidecar orders = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1), new SnapshotRef(snapshot), null,
        new DaprSettings(dataDir.resolve("orders")));
    open.add(orders);
    return orders;
  }

  HttpResponse<String> send(Sidecar sidecar, String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return ModelMapper.json().readTree(r.body());
  }

  void saveReadDeleteAndInvoke(Sidecar orders, String store) throws Exception {
    String base = "/v1.0/state/" + store;
    HttpResponse<String> first = send(orders, "POST", base, "[{\"key\":\"order-7\",\"value\":{\"qty\":3}}]");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(204);
    HttpResponse<String> read = send(orders, "GET", base + "/order-7", null);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.body()).isEqualTo("{\"qty\":3}");
    String etag = read.headers().firstValue("etag").orElseThrow();

    HttpResponse<String> stale = send(orders, "POST", base,
        "[{\"key\":\"order-7\",\"value\":{\"qty\":4},\"etag\":\"" + etag + "0\"}]");
    assertThat(stale.statusCode()).isEqualTo(409);
    assertThat(json(stale).get("errorCode").asText()).isEqualTo("ERR_STATE_SAVE");
    assertThat(send(orders, "POST", base, "[{\"key\":\"order-7\",\"value\":{\"qty\":4},\"etag\":\"" + etag + "\"}]")
        .statusCode()).isEqualTo(204);
    String newer = send(orders, "GET", base + "/order-7", null).headers().firstValue("etag").orElseThrow();
    assertThat(newer).isNotEqualTo(etag);

    HttpResponse<String> bulk = send(orders, "POST", base + "/bulk", "{\"keys\":[\"order-7\",\"order-8\"]}");
    assertThat(json(bulk).get(0).get("data").get("qty").asInt()).isEqualTo(4);
    assertThat(json(bulk).get(1).has("data")).isFalse();

    assertThat(send(orders, "DELETE", base + "/order-7", null, "If-Match", etag).statusCode()).isEqualTo(409);
    assertThat(send(orders, "DELETE", base + "/order-7", null, "If-Match", newer).statusCode()).isEqualTo(204);
    assertThat(send(orders, "GET", base + "/order-7", null).statusCode()).isEqualTo(204);

    // Invocation keeps going through the mesh, on the same port and connection.
    HttpResponse<String> invoked = send(orders, "GET", "/v1.0/invoke/products/method/list?page=2", null);
    assertThat(invoked.statusCode()).isEqualTo(200);
    assertThat(invoked.body()).isEqualTo("products got /list?page=2");
  }

  @Test
  void sqliteStateAndInvocationThroughRealSidecars() throws Exception {
    Sidecar orders = orders("""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: {name: statestore}
        spec:
          type: state.sqlite
          metadata:
          - {name: tableName, value: orders_state}
        """);
    saveReadDeleteAndInvoke(orders, "statestore");

    // A component scoped to another app does not exist for this one.
    HttpResponse<String> scoped = send(orders, "GET", "/v1.0/state/private/k", null);
    assertThat(scoped.statusCode()).isEqualTo(400);
    assertThat(scoped.body()).isEqualTo(
        "{\"errorCode\":\"ERR_STATE_STORE_NOT_FOUND\",\"message\":\"state store private is not found\"}");

    // HTTP/2 (h2c upgrade) reaches the same API.
    send(orders, "POST", "/v1.0/state/statestore", "[{\"key\":\"h2\",\"value\":\"two\"}]");
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> overH2 = h2.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + orders.httpPort() + "/v1.0/state/statestore/h2")).build(), BodyHandlers.ofString());
    assertThat(overH2.body()).isEqualTo("\"two\"");
    HttpResponse<String> second = h2.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + orders.httpPort() + "/v1.0/metadata")).build(), BodyHandlers.ofString());
    assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(json(second).get("id").asText()).isEqualTo("orders");

    assertThat(Files.list(dataDir.resolve("orders")).map(p -> p.getFileName().toString()))
        .contains("state-default-statestore.db");
  }

  @Test
  void redisStateAndARedisThatGoesDown() throws Exception {
    redis = RedisServerProcess.start(dataDir);
    int port = redis.port;
    Sidecar orders = orders("""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: {name: cache}
        spec:
          type: state.redis
          metadata:
          - {name: redisHost, value: "127.0.0.1:%d"}
          - {name: dialTimeout, value: 1s}
          - {name: readTimeout, value: 2s}
        """.formatted(port));
    saveReadDeleteAndInvoke(orders, "cache");
    assertThat(send(orders, "POST", "/v1.0/state/cache",
        "[{\"key\":\"session\",\"value\":1,\"metadata\":{\"ttlInSeconds\":\"100\"}}]").statusCode()).isEqualTo(204);
    assertThat(Long.parseLong(redis.cli("TTL", "orders||session"))).isBetween(1L, 100L);

    redis.kill();
    long start = System.nanoTime();
    HttpResponse<String> down = send(orders, "GET", "/v1.0/state/cache/session", null);
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(5);
    assertThat(down.statusCode()).isEqualTo(500);
    assertThat(json(down).get("errorCode").asText()).isEqualTo("ERR_STATE_GET");
    assertThat(json(down).get("message").asText()).contains("Redis at 127.0.0.1:" + port);
  }
}
