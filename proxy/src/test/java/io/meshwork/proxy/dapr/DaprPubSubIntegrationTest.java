package io.meshwork.proxy.dapr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ModelMapper;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dapr pub/sub over the HTTP API through a real sidecar with {@code pubsub.in-memory}: a plain HTTP client
 * publishes, and a real HTTP app declares its subscriptions at {@code /dapr/subscribe} and receives the
 * CloudEvents; an app that is down for a while gets every event once it is back.
 */
@Timeout(60)
class DaprPubSubIntegrationTest {
  @TempDir
  Path dir;
  TestBackend app;
  Sidecar sidecar;
  final AtomicBoolean down = new AtomicBoolean();
  final AtomicInteger outageCalls = new AtomicInteger();
  final Map<String, List<JsonNode>> received = new ConcurrentHashMap<>();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static final String SUBSCRIPTIONS = """
      [{"pubsubname": "events", "topic": "orders", "routes": {"rules": [
          {"match": "event.type == \\"order.created\\"", "path": "/created"}], "default": "/other"}},
       {"pubsubname": "events", "topic": "outage", "route": "/outage"},
       {"pubsubname": "events", "topic": "gone", "route": "/missing"}]""";

  @BeforeEach
  void start() {
    app = TestBackend.http1((r, n) -> {
      String path = r.uri();
      if (path.equals("/dapr/subscribe")) {
        return TestBackend.text(HttpResponseStatus.OK, SUBSCRIPTIONS);
      }
      String body = r.content().toString(StandardCharsets.UTF_8);
      if (path.equals("/outage")) {
        outageCalls.incrementAndGet();
        if (down.get()) {
          return TestBackend.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "down");
        }
      }
      try {
        received.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(ModelMapper.json().readTree(body));
      } catch (java.io.IOException e) {
        throw new AssertionError(body, e);
      }
      return path.equals("/missing") ? TestBackend.text(HttpResponseStatus.NOT_FOUND, "no such route")
          : TestBackend.text(HttpResponseStatus.OK, "{\"status\":\"SUCCESS\"}");
    });
    ParseResult parsed = ResourceParser.parse("pubsub.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: {name: events}
        spec:
          type: pubsub.in-memory
        """);
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1)
        .withTarget(URI.create("http://127.0.0.1:" + app.address().getPort())),
        new SnapshotRef(new SnapshotCompiler().compile(1, parsed.resources(), new LocalService("orders", "default"))),
        null, new DaprSettings(dir.resolve("orders")));
  }

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    app.close();
  }

  HttpResponse<String> post(String path, String contentType, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + path))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", contentType).POST(BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), BodyHandlers.ofString());
  }

  static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not seen in 20 s: " + what);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  List<JsonNode> at(String path) {
    return received.getOrDefault(path, List.of());
  }

  void awaitSubscriptions() throws Exception {
    eventually(() -> {
      try {
        HttpResponse<String> m = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/v1.0/metadata")).build(), BodyHandlers.ofString());
        return ModelMapper.json().readTree(m.body()).path("subscriptions").size() == 3;
      } catch (Exception e) {
        return false;
      }
    }, "the app's three subscriptions in /v1.0/metadata");
  }

  @Test
  void eventsReachTheAppAsCloudEventsByTheirRoutes() throws Exception {
    awaitSubscriptions();
    HttpResponse<String> published = post("/v1.0/publish/events/orders", "application/json", "{\"id\":1}",
        "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertThat(published.statusCode()).as(published.body()).isEqualTo(204);
    assertThat(post("/v1.0/publish/events/orders", "application/cloudevents+json",
        "{\"specversion\":\"1.0\",\"id\":\"evt-2\",\"source\":\"shop\",\"type\":\"order.created\",\"data\":{\"id\":2}}")
        .statusCode()).isEqualTo(204);
    eventually(() -> at("/other").size() == 1 && at("/created").size() == 1, "one event on each route");

    JsonNode other = at("/other").getFirst();
    assertThat(other.get("specversion").asText()).isEqualTo("1.0");
    assertThat(other.get("source").asText()).isEqualTo("orders");
    assertThat(other.get("type").asText()).isEqualTo("com.dapr.event.sent");
    assertThat(other.get("topic").asText()).isEqualTo("orders");
    assertThat(other.get("pubsubname").asText()).isEqualTo("events");
    assertThat(other.get("datacontenttype").asText()).isEqualTo("application/json");
    assertThat(other.get("data").get("id").asInt()).isEqualTo(1);
    assertThat(other.get("traceparent").asText()).startsWith("00-0af7651916cd43dd");
    JsonNode created = at("/created").getFirst();
    assertThat(created.get("id").asText()).isEqualTo("evt-2");
    assertThat(created.get("source").asText()).isEqualTo("shop");

    // Bulk publish: every entry is an event of its own.
    HttpResponse<String> bulk = post("/v1.0-alpha1/publish/bulk/events/orders", "application/json", """
        [{"entryId": "1", "event": {"n": 1}, "contentType": "application/json"},
         {"entryId": "2", "event": "two", "contentType": "text/plain"}]""");
    assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(204);
    eventually(() -> at("/other").size() == 3, "the two bulk entries");
    assertThat(at("/other").stream().map(e -> e.get("data").toString()).toList())
        .containsExactlyInAnyOrder("{\"id\":1}", "{\"n\":1}", "\"two\"");

    // A 404 from the app drops the event: delivered once, never again.
    post("/v1.0/publish/events/gone", "text/plain", "bye");
    eventually(() -> at("/missing").size() == 1, "the event for the missing route");
    TimeUnit.MILLISECONDS.sleep(500);
    assertThat(at("/missing")).hasSize(1);
  }

  @Test
  void anAppThatIsDownForAWhileGetsEveryEventWhenItIsBack() throws Exception {
    awaitSubscriptions();
    down.set(true);
    for (int i = 0; i < 5; i++) {
      assertThat(post("/v1.0/publish/events/outage", "application/json", "{\"n\":" + i + "}").statusCode())
          .isEqualTo(204);
    }
    eventually(() -> outageCalls.get() >= 15, "three deliveries of each event while the app is down");
    assertThat(at("/outage")).isEmpty();
    down.set(false);
    eventually(() -> at("/outage").size() == 5, "all five events once the app is back");
    assertThat(at("/outage").stream().map(e -> e.get("data").get("n").asInt()).sorted().toList())
        .containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void publishRequestsDaprRefusesAreRefusedTheSameWay() throws Exception {
    HttpResponse<String> unknown = post("/v1.0/publish/nope/orders", "application/json", "{}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("{\"errorCode\":\"ERR_PUBSUB_NOT_FOUND\",\"message\":\"pubsub nope is not found\"}");
    HttpResponse<String> noTopic = post("/v1.0/publish/events", "application/json", "{}");
    assertThat(noTopic.statusCode()).isEqualTo(404);
    assertThat(noTopic.body()).contains("ERR_TOPIC_NAME_EMPTY");
    HttpResponse<String> notJson = post("/v1.0/publish/events/orders", "application/json", "{oops");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).contains("ERR_PUBSUB_CLOUD_EVENTS_SER", "the JSON body is not JSON");
    HttpResponse<String> twice = post("/v1.0-alpha1/publish/bulk/events/orders", "application/json",
        "[{\"entryId\":\"a\",\"event\":1},{\"entryId\":\"a\",\"event\":2}]");
    assertThat(twice.statusCode()).isEqualTo(400);
    assertThat(twice.body()).contains("[1].entryId: \\\"a\\\" (expected: an id unique in the request)");
    HttpResponse<String> get = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/v1.0/publish/events/orders")).build(),
        BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
  }
}
