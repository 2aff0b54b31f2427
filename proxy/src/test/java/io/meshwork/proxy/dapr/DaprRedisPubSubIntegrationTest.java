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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pubsub.redis} through real sidecars against a real redis-server: events are stream entries read by
 * the app's consumer group, acknowledged once the app has them; what a sidecar had not delivered when it
 * stopped is delivered by the next one, and a Redis that goes down refuses publishes with a clear error and
 * is used again when it is back.
 */
@Timeout(90)
class DaprRedisPubSubIntegrationTest {
  @TempDir
  Path dir;
  RedisServerProcess redis;
  TestBackend app;
  Sidecar sidecar;
  final AtomicBoolean down = new AtomicBoolean();
  final List<JsonNode> received = new CopyOnWriteArrayList<>();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    redis = RedisServerProcess.start(dir);
    app = TestBackend.http1((r, n) -> {
      if (r.uri().equals("/dapr/subscribe")) {
        return TestBackend.text(HttpResponseStatus.OK,
            "[{\"pubsubname\":\"order-pubsub\",\"topic\":\"order-created\",\"route\":\"/orders\"}]");
      }
      if (down.get()) {
        return TestBackend.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "down");
      }
      try {
        received.add(ModelMapper.json().readTree(r.content().toString(StandardCharsets.UTF_8)));
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
      return TestBackend.text(HttpResponseStatus.OK, "");
    });
    sidecar = sidecar();
  }

  Sidecar sidecar() {
    ParseResult parsed = ResourceParser.parse("pubsub.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: {name: order-pubsub}
        spec:
          type: pubsub.redis
          metadata:
          - {name: redisHost, value: "127.0.0.1:%d"}
          - {name: dialTimeout, value: 1s}
          - {name: readTimeout, value: 2s}
        """.formatted(redis.port));
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    return Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1)
        .withTarget(URI.create("http://127.0.0.1:" + app.address().getPort())),
        new SnapshotRef(new SnapshotCompiler().compile(1, parsed.resources(), new LocalService("orders", "default"))),
        null, new DaprSettings(dir.resolve("orders")));
  }

  @AfterEach
  void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    if (app != null) {
      app.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  HttpResponse<String> publish(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort()
        + "/v1.0/publish/order-pubsub/order-created")).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
  }

  static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not seen in 30 s: " + what);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  String pending() throws Exception {
    return redis.cli("XPENDING", "order-created", "orders").lines().findFirst().orElse("");
  }

  void awaitGroup() throws Exception {
    eventually(() -> {
      try {
        return redis.cli("XINFO", "GROUPS", "order-created").contains("orders");
      } catch (Exception e) {
        return false;
      }
    }, "the app's consumer group on the stream");
  }

  List<Integer> ids() {
    return received.stream().map(e -> e.get("data").get("id").asInt()).distinct().sorted().toList();
  }

  @Test
  void eventsGoThroughRedisStreamsAndAreAcknowledged() throws Exception {
    awaitGroup();
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> r = publish("{\"id\":" + i + "}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }
    assertThat(redis.cli("XLEN", "order-created")).isEqualTo("3");
    eventually(() -> received.size() == 3, "three events at the app");
    assertThat(ids()).containsExactly(1, 2, 3);
    assertThat(received.getFirst().get("pubsubname").asText()).isEqualTo("order-pubsub");
    assertThat(received.getFirst().get("topic").asText()).isEqualTo("order-created");
    eventually(() -> {
      try {
        return pending().equals("0");
      } catch (Exception e) {
        return false;
      }
    }, "no entry left pending in the consumer group");
  }

  @Test
  void whatOneSidecarDidNotDeliverTheNextOneDoes() throws Exception {
    awaitGroup();
    down.set(true);
    for (int i = 1; i <= 4; i++) {
      assertThat(publish("{\"id\":" + i + "}").statusCode()).isEqualTo(204);
    }
    eventually(() -> {
      try {
        return pending().equals("4");
      } catch (Exception e) {
        return false;
      }
    }, "four entries read and pending");
    sidecar.close();
    down.set(false);
    sidecar = sidecar();
    eventually(() -> ids().size() == 4, "the four events delivered by the new sidecar");
    assertThat(ids()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void aRedisThatGoesDownRefusesPublishesAndIsUsedAgainWhenBack() throws Exception {
    awaitGroup();
    redis.kill();
    long start = System.nanoTime();
    HttpResponse<String> refused = publish("{\"id\":1}");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(5);
    assertThat(refused.statusCode()).isEqualTo(500);
    JsonNode error = ModelMapper.json().readTree(refused.body());
    assertThat(error.get("errorCode").asText()).isEqualTo("ERR_PUBSUB_PUBLISH_MESSAGE");
    assertThat(error.get("message").asText()).contains("Redis at 127.0.0.1:" + redis.port);

    redis.restart();
    eventually(() -> {
      try {
        return publish("{\"id\":2}").statusCode() == 204;
      } catch (Exception e) {
        return false;
      }
    }, "a publish taken once Redis is back");
    eventually(() -> ids().contains(2), "the event published after the restart, delivered");
  }
}
