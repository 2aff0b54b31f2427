package io.meshwork.proxy.dapr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Dapr JavaScript SDK ({@code @dapr/dapr}, HTTP protocol) against real sidecars: an app's program
 * ({@code src/test/resources/dapr-js}) saves, reads, bulk-reads, deletes and transacts state with ETags through
 * its sidecar, and invokes another app by its app id through that app's own sidecar.
 */
@Timeout(120)
class DaprJsSdkIntegrationTest {
  @TempDir
  Path dir;
  TestBackend products;
  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    String reason = DaprJs.unavailable();
    assumeTrue(reason == null, reason);
    products = TestBackend.http1((r, n) -> {
      String body = r.method() == HttpMethod.POST
          ? "{\"accepted\":" + r.content().toString(StandardCharsets.UTF_8) + "}"
          : "{\"uri\":\"" + r.uri() + "\",\"price\":12}";
      FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      out.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      return out;
    });
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    if (products != null) {
      products.close();
    }
  }

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
        %s""".formatted(productsSidecar.inboundPort(), components));
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    MeshSnapshot snapshot = new SnapshotCompiler().compile(1, parsed.resources(), new LocalService("orders", "default"));
    Sidecar orders = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1), new SnapshotRef(snapshot), null,
        new DaprSettings(dir.resolve("orders")));
    open.add(orders);
    return orders;
  }

  @Test
  void pubSubWithTheRealSdkOnInMemoryTopics() throws Exception {
    pubSub("""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: {name: order-pubsub}
        spec:
          type: pubsub.in-memory
        """);
  }

  @Test
  void pubSubWithTheRealSdkOnRedisStreams() throws Exception {
    RedisServerProcess redis = RedisServerProcess.start(dir);
    open.add(redis);
    pubSub("""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: {name: order-pubsub}
        spec:
          type: pubsub.redis
          metadata:
          - {name: redisHost, value: "127.0.0.1:%d"}
        """.formatted(redis.port));
  }

  void pubSub(String component) throws Exception {
    ParseResult parsed = ResourceParser.parse("pubsub.yaml", component);
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    JsonNode out = null;
    // The app's port is chosen before the app binds it; another process may take it in between.
    for (int attempt = 1; out == null; attempt++) {
      int appPort;
      try (ServerSocket s = new ServerSocket(0)) {
        appPort = s.getLocalPort();
      }
      Sidecar orders = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1)
          .withTarget(URI.create("http://127.0.0.1:" + appPort)),
          new SnapshotRef(new SnapshotCompiler().compile(1, parsed.resources(), new LocalService("orders", "default"))),
          null, new DaprSettings(dir.resolve("orders")));
      try {
        out = DaprJs.run("pubsub.js", Map.of("DAPR_HTTP_PORT", Integer.toString(orders.httpPort()),
            "APP_PORT", Integer.toString(appPort), "PUBSUB", "order-pubsub"), dir.resolve("node-" + attempt + ".log"));
      } catch (AssertionError e) {
        if (attempt == 3 || !e.getMessage().contains("EADDRINUSE")) {
          throw e;
        }
      } finally {
        orders.close();
      }
    }

    assertThat(out.path("subscribed").asInt()).as(out.toString()).isEqualTo(6);
    assertThat(out.path("publish").has("error")).as(out.toString()).isFalse();
    JsonNode got = out.path("got");
    // Events of one topic are delivered concurrently (Dapr's default), so their order is not promised.
    assertThat(got.path("orders").toString()).as(out.toString()).contains("\"item\":\"lamp\"", "\"hello\"");
    assertThat(got.path("orders").size()).isEqualTo(2);
    assertThat(got.path("ordersHeaders").toString()).isEqualTo(
        "[\"application/cloudevents+json\",\"application/cloudevents+json\"]");
    // RETRY twice, then SUCCESS: delivered three times, handled once.
    assertThat(got.path("flakyCalls").asInt()).isEqualTo(3);
    assertThat(got.at("/flaky/0/attempt").asText()).isEqualTo("until third");
    // Always RETRY: after its deliveries, the event goes to the dead-letter topic, as the same CloudEvent.
    assertThat(got.path("doomedCalls").asInt()).isEqualTo(Delivery.ATTEMPTS_BEFORE_DEAD_LETTER);
    assertThat(got.at("/poison/0/id").asText()).isEqualTo("never");
    // Published raw, delivered raw: the handler sees the app's own JSON, not an envelope.
    assertThat(got.at("/raw/0/raw").asBoolean()).as(out.toString()).isTrue();
    assertThat(out.at("/bulkPublish/failedMessages").size()).as(out.toString()).isZero();
    assertThat(got.path("bulk").toString()).contains("{\"n\":1}", "{\"n\":2}", "\"three\"");
    assertThat(out.at("/unknown/error").asText()).contains("ERR_PUBSUB_NOT_FOUND");
  }

  @Test
  void stateAndInvocationWithTheRealSdk() throws Exception {
    Sidecar orders = orders("""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: {name: order-store}
        spec:
          type: state.sqlite
        """);
    JsonNode out = DaprJs.run("state-and-invoke.js", Map.of("DAPR_HTTP_PORT", Integer.toString(orders.httpPort()),
        "STORE", "order-store", "TARGET", "products"), dir.resolve("node.log"));

    assertThat(out.path("save").has("ok")).as(out.toString()).isTrue();
    assertThat(out.at("/get/ok/qty").asInt()).as(out.toString()).isEqualTo(3);
    assertThat(out.at("/getStrong/ok/qty").asInt()).as(out.toString()).isEqualTo(3);
    assertThat(out.path("saveTtl").has("ok")).as(out.toString()).isTrue();
    assertThat(out.at("/getText/ok").asText()).isEqualTo("plain text");
    assertThat(out.at("/getMissing/ok").asText()).as(out.toString()).isEmpty();
    JsonNode bulk = out.at("/bulk/ok");
    assertThat(bulk.size()).as(out.toString()).isEqualTo(3);
    assertThat(bulk.get(0).at("/data/item").asText()).isEqualTo("lamp");
    assertThat(bulk.get(0).path("etag").asText()).isNotEmpty();
    assertThat(bulk.get(1).path("data").asText()).isEqualTo("plain text");
    assertThat(bulk.get(2).has("data")).isFalse();

    assertThat(out.at("/staleSave/error").asText()).as(out.toString()).contains("409").contains("ERR_STATE_SAVE");
    assertThat(out.path("freshSave").has("ok")).as(out.toString()).isTrue();
    assertThat(out.at("/afterFresh/ok/qty").asInt()).isEqualTo(4);
    assertThat(out.at("/staleDelete/error").asText()).as(out.toString()).contains("409").contains("ERR_STATE_DELETE");

    assertThat(out.path("transaction").has("ok")).as(out.toString()).isTrue();
    JsonNode afterTx = out.at("/afterTransaction/ok");
    assertThat(afterTx.get(0).has("data")).as(out.toString()).isFalse();
    assertThat(afterTx.get(1).at("/data/qty").asInt()).isEqualTo(1);
    assertThat(out.path("delete").has("ok")).as(out.toString()).isTrue();
    assertThat(out.at("/afterDelete/ok").asText()).isEmpty();

    assertThat(out.at("/invokeGet/ok/uri").asText()).as(out.toString()).isEqualTo("/price?item=lamp");
    assertThat(out.at("/invokePost/ok/accepted/qty").asInt()).as(out.toString()).isEqualTo(2);
    assertThat(out.at("/metadata/ok/id").asText()).as(out.toString()).isEqualTo("orders");
    assertThat(out.at("/health/ok").asBoolean()).isTrue();
  }
}
