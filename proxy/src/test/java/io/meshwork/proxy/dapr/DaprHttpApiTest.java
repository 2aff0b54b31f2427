package io.meshwork.proxy.dapr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.ObjectMeta;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ModelMapper;
import io.meshwork.model.dapr.Component;
import io.meshwork.model.dapr.Component.MetadataItem;
import io.meshwork.proxy.forward.TargetResolver;
import io.meshwork.proxy.http.ProxyError;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.buffer.Unpooled;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Dapr's state API semantics on a real SQLite file, with a clock the test moves. */
@Timeout(30)
class DaprHttpApiTest {
  @TempDir
  Path dataDir;
  final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  StateStores stores;
  DaprComponents components;
  DaprHttpApi api;

  static Resource<Component> component(String name, String type, MetadataItem... metadata) {
    return Resource.of(ObjectMeta.of(name, "shop"), Component.of(type, List.of(metadata)));
  }

  @BeforeEach
  void start() {
    stores = new StateStores(new DaprSettings(dataDir.resolve("sidecar")), "shop", clock::get);
    components = new DaprComponents(java.util.Map.of("statestore", component("statestore", "state.sqlite")));
    api = new DaprHttpApi(stores, () -> components, "orders", "shop", r -> new TargetResolver.Resolved(null));
  }

  @AfterEach
  void stop() {
    stores.close();
  }

  FullHttpResponse call(HttpMethod method, String uri, String body, String... headers) throws Exception {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
        Unpooled.copiedBuffer(body == null ? "" : body, StandardCharsets.UTF_8));
    for (int i = 0; i < headers.length; i += 2) {
      req.headers().set(headers[i], headers[i + 1]);
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    try {
      return api.serve(req, bytes).get(10, TimeUnit.SECONDS);
    } finally {
      req.release();
    }
  }

  static String body(FullHttpResponse r) {
    try {
      return r.content().toString(StandardCharsets.UTF_8);
    } finally {
      r.release();
    }
  }

  static JsonNode json(FullHttpResponse r) throws Exception {
    return ModelMapper.json().readTree(body(r));
  }

  String etagOf(String key) throws Exception {
    FullHttpResponse r = call(HttpMethod.GET, "/v1.0/state/statestore/" + key, null);
    String etag = r.headers().get(HttpHeaderNames.ETAG);
    r.release();
    return etag;
  }

  @Test
  void saveGetDeleteWithEtags() throws Exception {
    FullHttpResponse saved = call(HttpMethod.POST, "/v1.0/state/statestore",
        "[{\"key\":\"order-1\",\"value\":{\"item\":\"book\",\"qty\":2}}]");
    assertThat(saved.status().code()).isEqualTo(204);
    saved.release();

    FullHttpResponse got = call(HttpMethod.GET, "/v1.0/state/statestore/order-1", null);
    assertThat(got.status().code()).isEqualTo(200);
    String etag = got.headers().get(HttpHeaderNames.ETAG);
    assertThat(etag).isNotBlank();
    assertThat(got.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
    assertThat(body(got)).isEqualTo("{\"item\":\"book\",\"qty\":2}");

    // A stale ETag is refused with 409 and Dapr's error body; the right one is taken and changes the ETag.
    FullHttpResponse stale = call(HttpMethod.POST, "/v1.0/state/statestore",
        "[{\"key\":\"order-1\",\"value\":3,\"etag\":\"not-" + etag + "\"}]");
    assertThat(stale.status().code()).isEqualTo(409);
    JsonNode error = json(stale);
    assertThat(error.get("errorCode").asText()).isEqualTo("ERR_STATE_SAVE");
    assertThat(error.get("message").asText()).contains("statestore", "etag mismatch", "order-1");
    FullHttpResponse fresh = call(HttpMethod.POST, "/v1.0/state/statestore",
        "[{\"key\":\"order-1\",\"value\":3,\"etag\":\"" + etag + "\"}]");
    assertThat(fresh.status().code()).isEqualTo(204);
    fresh.release();
    String second = etagOf("order-1");
    assertThat(second).isNotEqualTo(etag);

    FullHttpResponse wrongDelete = call(HttpMethod.DELETE, "/v1.0/state/statestore/order-1", null, "If-Match", etag);
    assertThat(wrongDelete.status().code()).isEqualTo(409);
    assertThat(json(wrongDelete).get("errorCode").asText()).isEqualTo("ERR_STATE_DELETE");
    FullHttpResponse deleted = call(HttpMethod.DELETE, "/v1.0/state/statestore/order-1", null, "If-Match", second);
    assertThat(deleted.status().code()).isEqualTo(204);
    deleted.release();
    FullHttpResponse gone = call(HttpMethod.GET, "/v1.0/state/statestore/order-1", null);
    assertThat(gone.status().code()).isEqualTo(204);
    gone.release();

    // Keys are stored as Dapr stores them: <app-id>||<key>; the file is the owner's alone.
    Path file = dataDir.resolve("sidecar").resolve("state-shop-statestore.db");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void firstWriteWinsAndLastWriteIgnoresEtags() throws Exception {
    String first = "[{\"key\":\"k\",\"value\":1,\"options\":{\"concurrency\":\"first-write\"}}]";
    FullHttpResponse created = call(HttpMethod.POST, "/v1.0/state/statestore", first);
    assertThat(created.status().code()).isEqualTo(204);
    created.release();
    FullHttpResponse again = call(HttpMethod.POST, "/v1.0/state/statestore", first);
    assertThat(again.status().code()).isEqualTo(409);
    again.release();
    FullHttpResponse last = call(HttpMethod.POST, "/v1.0/state/statestore",
        "[{\"key\":\"k\",\"value\":2,\"etag\":\"whatever\",\"options\":{\"concurrency\":\"last-write\"}}]");
    assertThat(last.status().code()).isEqualTo(204);
    last.release();
    assertThat(body(call(HttpMethod.GET, "/v1.0/state/statestore/k", null))).isEqualTo("2");
  }

  @Test
  void ttlExpiresOnTheStoresClock() throws Exception {
    FullHttpResponse saved = call(HttpMethod.POST, "/v1.0/state/statestore",
        "[{\"key\":\"session\",\"value\":\"abc\",\"metadata\":{\"ttlInSeconds\":\"60\"}}]");
    assertThat(saved.status().code()).isEqualTo(204);
    saved.release();
    clock.addAndGet(59_000);
    FullHttpResponse live = call(HttpMethod.GET, "/v1.0/state/statestore/session", null);
    assertThat(live.status().code()).isEqualTo(200);
    assertThat(live.headers().get("metadata.ttlExpireTime")).isEqualTo("2023-11-14T22:14:20Z");
    assertThat(body(live)).isEqualTo("\"abc\"");
    clock.addAndGet(1_000);
    FullHttpResponse expired = call(HttpMethod.GET, "/v1.0/state/statestore/session", null);
    assertThat(expired.status().code()).isEqualTo(204);
    expired.release();

    FullHttpResponse bad = call(HttpMethod.POST, "/v1.0/state/statestore",
        "[{\"key\":\"session\",\"value\":1,\"metadata\":{\"ttlInSeconds\":\"soon\"}}]");
    assertThat(bad.status().code()).isEqualTo(400);
    JsonNode error = json(bad);
    assertThat(error.get("errorCode").asText()).isEqualTo("ERR_MALFORMED_REQUEST");
    assertThat(error.get("message").asText()).isEqualTo("[0].metadata.ttlInSeconds: \"soon\""
        + " (expected: an integer number of seconds >= -1; -1: never expires)");
  }

  @Test
  void bulkGetAndAtomicTransactions() throws Exception {
    call(HttpMethod.POST, "/v1.0/state/statestore", "[{\"key\":\"a\",\"value\":\"A\"},{\"key\":\"b\",\"value\":[1]}]")
        .release();
    JsonNode bulk = json(call(HttpMethod.POST, "/v1.0/state/statestore/bulk", "{\"keys\":[\"a\",\"b\",\"c\"]}"));
    assertThat(bulk).hasSize(3);
    assertThat(bulk.get(0).get("key").asText()).isEqualTo("a");
    assertThat(bulk.get(0).get("data").asText()).isEqualTo("A");
    assertThat(bulk.get(0).get("etag").asText()).isEqualTo(etagOf("a"));
    assertThat(bulk.get(1).get("data").toString()).isEqualTo("[1]");
    assertThat(bulk.get(2).has("data")).isFalse();

    // One stale ETag and nothing of the transaction is applied.
    FullHttpResponse refused = call(HttpMethod.POST, "/v1.0/state/statestore/transaction", """
        {"operations": [
          {"operation": "upsert", "request": {"key": "c", "value": "C"}},
          {"operation": "delete", "request": {"key": "a", "etag": "stale"}}]}""");
    assertThat(refused.status().code()).isEqualTo(409);
    assertThat(json(refused).get("errorCode").asText()).isEqualTo("ERR_STATE_TRANSACTION");
    FullHttpResponse noC = call(HttpMethod.GET, "/v1.0/state/statestore/c", null);
    assertThat(noC.status().code()).isEqualTo(204);
    noC.release();

    FullHttpResponse applied = call(HttpMethod.POST, "/v1.0/state/statestore/transaction", """
        {"operations": [
          {"operation": "upsert", "request": {"key": "c", "value": "C"}},
          {"operation": "delete", "request": {"key": "a", "etag": "%s"}}]}""".formatted(etagOf("a")));
    assertThat(applied.status().code()).isEqualTo(204);
    applied.release();
    assertThat(body(call(HttpMethod.GET, "/v1.0/state/statestore/c", null))).isEqualTo("\"C\"");
    assertThat(call(HttpMethod.GET, "/v1.0/state/statestore/a", null).status().code()).isEqualTo(204);

    FullHttpResponse badOp = call(HttpMethod.POST, "/v1.0/state/statestore/transaction",
        "{\"operations\":[{\"operation\":\"merge\",\"request\":{\"key\":\"a\"}}]}");
    assertThat(json(badOp).get("message").asText())
        .isEqualTo("operations[0].operation: \"merge\" (expected: upsert or delete)");
  }

  @Test
  void unknownStoresAndBadBodiesGetDaprErrors() throws Exception {
    FullHttpResponse missing = call(HttpMethod.GET, "/v1.0/state/nosuch/k", null);
    assertThat(missing.status().code()).isEqualTo(400);
    assertThat(body(missing)).isEqualTo(
        "{\"errorCode\":\"ERR_STATE_STORE_NOT_FOUND\",\"message\":\"state store nosuch is not found\"}");

    FullHttpResponse notJson = call(HttpMethod.POST, "/v1.0/state/statestore", "{not json");
    assertThat(notJson.status().code()).isEqualTo(400);
    assertThat(json(notJson).get("errorCode").asText()).isEqualTo("ERR_MALFORMED_REQUEST");

    FullHttpResponse separator = call(HttpMethod.GET, "/v1.0/state/statestore/a%7C%7Cb", null);
    assertThat(separator.status().code()).isEqualTo(400);
    assertThat(json(separator).get("message").asText()).isEqualTo("key: \"a||b\" (expected: a key without ||)");

    components = DaprComponents.NONE;
    FullHttpResponse none = call(HttpMethod.GET, "/v1.0/state/statestore/k", null);
    assertThat(none.status().code()).isEqualTo(500);
    assertThat(json(none).get("errorCode").asText()).isEqualTo("ERR_STATE_STORES_NOT_CONFIGURED");
  }

  @Test
  void metadataListsTheComponentsInScope() throws Exception {
    FullHttpResponse r = call(HttpMethod.GET, "/v1.0/metadata", null);
    JsonNode m = json(r);
    assertThat(m.get("id").asText()).isEqualTo("orders");
    assertThat(m.get("components").get(0).get("name").asText()).isEqualTo("statestore");
    assertThat(m.get("components").get(0).get("type").asText()).isEqualTo("state.sqlite");

    Resource<Component> scoped = Resource.of(ObjectMeta.of("private", "shop"),
        Component.of("state.sqlite", List.of()).withScopes(List.of("payments")));
    Resource<Component> other = Resource.of(ObjectMeta.of("elsewhere", "billing"), Component.of("state.sqlite", List.of()));
    DaprComponents compiled = DaprComponents.compile(List.of(component("statestore", "state.sqlite"), scoped, other),
        "orders", "shop");
    assertThat(compiled.stateStores()).containsOnlyKeys("statestore");
  }

  @Test
  void acceptedButUnusedFieldsAreNamed() {
    Resource<Component> c = Resource.of(ObjectMeta.of("statestore", "shop"),
        new Component("state.sqlite", "v1", List.of(), "5s", true, List.of()));
    assertThat(io.meshwork.proxy.config.UnenforcedFields.review(c))
        .extracting(v -> v.field() + " " + v.message())
        .containsExactly("spec.initTimeout is accepted but not enforced yet",
            "spec.ignoreErrors is accepted but not enforced yet");
  }

  @Test
  void redisThatIsDownIsAClearErrorNotAHang() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    components = new DaprComponents(java.util.Map.of("cache", component("cache", "state.redis",
        MetadataItem.of("redisHost", "127.0.0.1:" + deadPort), MetadataItem.of("dialTimeout", "1s"))));
    long start = System.nanoTime();
    FullHttpResponse r = call(HttpMethod.GET, "/v1.0/state/cache/k", null);
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(5);
    assertThat(r.status().code()).isEqualTo(500);
    JsonNode error = json(r);
    assertThat(error.get("errorCode").asText()).isEqualTo("ERR_STATE_GET");
    assertThat(error.get("message").asText()).startsWith("failed getting state in state store cache: state store cache:"
        + " Redis at 127.0.0.1:" + deadPort + " did not answer:");
  }

  @Test
  void otherRequestsPassThroughAndRefusedCallersGetDaprErrors() {
    EmbeddedChannel ch = new EmbeddedChannel(api);
    FullHttpRequest invoke = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
        "/v1.0/invoke/products/method/list");
    ch.writeInbound(invoke);
    assertThat((Object) ch.readInbound()).isSameAs(invoke);
    invoke.release();
    assertThat(DaprHttpApi.handles("/v1.0/statestore")).isFalse();
    assertThat(DaprHttpApi.handles("/v1.0/state/s/k?x=1")).isTrue();
    assertThat(DaprHttpApi.handles("/v1.0/metadata")).isTrue();

    DaprHttpApi guarded = new DaprHttpApi(stores, () -> components, "orders", "shop",
        r -> new TargetResolver.Rejected(ProxyError.FORBIDDEN, "not from here"));
    EmbeddedChannel refused = new EmbeddedChannel(guarded);
    refused.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1.0/state/statestore/k"));
    refused.runPendingTasks();
    FullHttpResponse r = refused.readOutbound();
    assertThat(r.status().code()).isEqualTo(403);
    assertThat(body(r)).isEqualTo("{\"errorCode\":\"ERR_PERMISSION_DENIED\",\"message\":\"not from here\"}");
    refused.finishAndReleaseAll();
    ch.finishAndReleaseAll();
  }

  @Test
  void publishingWithoutAPubSubComponentIsRefusedAsDaprDoes() throws Exception {
    FullHttpResponse r = call(HttpMethod.POST, "/v1.0/publish/order-pubsub/order-created", "{}",
        "content-type", "application/json");
    assertThat(r.status().code()).isEqualTo(400);
    assertThat(body(r)).isEqualTo("{\"errorCode\":\"ERR_PUBSUB_NOT_CONFIGURED\",\"message\":\"no pubsub is configured\"}");
    assertThat(DaprHttpApi.handles("/v1.0/publish/p/t?metadata.rawPayload=true")).isTrue();
    assertThat(DaprHttpApi.handles("/v1.0-alpha1/publish/bulk/p/t")).isTrue();
    assertThat(DaprHttpApi.handles("/v1.0/publisher")).isFalse();
  }
}
