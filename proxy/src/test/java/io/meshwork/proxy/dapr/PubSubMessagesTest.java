package io.meshwork.proxy.dapr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.codec.ModelMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CloudEvents envelopes, publish bodies, the app's subscription list and what its delivery answers mean. */
class PubSubMessagesTest {
  static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static JsonNode json(byte[] b) throws Exception {
    return ModelMapper.json().readTree(b);
  }

  @Test
  void aJsonBodyIsWrappedWithDaprsAttributes() {
    ObjectNode e = CloudEvents.envelope(bytes("{\"id\":7}"), "application/json; charset=utf-8", "orders",
        "order-pubsub", "order-created", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null, NOW);
    assertThat(e.get("specversion").asText()).isEqualTo("1.0");
    assertThat(e.get("id").asText()).hasSize(36);
    assertThat(e.get("source").asText()).isEqualTo("orders");
    assertThat(e.get("type").asText()).isEqualTo("com.dapr.event.sent");
    assertThat(e.get("datacontenttype").asText()).isEqualTo("application/json; charset=utf-8");
    assertThat(e.get("data").get("id").asInt()).isEqualTo(7);
    assertThat(e.get("topic").asText()).isEqualTo("order-created");
    assertThat(e.get("pubsubname").asText()).isEqualTo("order-pubsub");
    assertThat(e.get("time").asText()).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(e.get("traceparent").asText()).startsWith("00-0af7");
    assertThat(e.has("tracestate")).isFalse();
  }

  @Test
  void textStaysTextAndBinaryGoesToDataBase64() {
    assertThat(CloudEvents.envelope(bytes("hello"), "text/plain", "a", "p", "t", null, null, NOW).get("data").asText())
        .isEqualTo("hello");
    ObjectNode binary = CloudEvents.envelope(new byte[] {0, 1, (byte) 0xff}, "application/octet-stream", "a", "p", "t",
        null, null, NOW);
    assertThat(binary.has("data")).isFalse();
    assertThat(Base64.getDecoder().decode(binary.get("data_base64").asText())).containsExactly(0, 1, 0xff);
  }

  @Test
  void aCloudEventKeepsItsAttributesAndGetsTheMissingOnes() {
    ObjectNode e = CloudEvents.envelope(bytes("{\"specversion\":\"1.0\",\"id\":\"mine\",\"source\":\"shop\","
        + "\"type\":\"order.created\",\"data\":{\"n\":1}}"), "application/cloudevents+json", "orders", "p", "t", null,
        null, NOW);
    assertThat(e.get("id").asText()).isEqualTo("mine");
    assertThat(e.get("source").asText()).isEqualTo("shop");
    assertThat(e.get("type").asText()).isEqualTo("order.created");
    assertThat(e.get("topic").asText()).isEqualTo("t");
    assertThat(e.get("datacontenttype").asText()).isEqualTo("application/json");

    assertThatThrownBy(() -> CloudEvents.envelope(bytes("[1]"), "application/cloudevents+json", "a", "p", "t", null,
        null, NOW)).hasMessage("the body is not a CloudEvent: [1] (expected: a JSON object)");
    assertThatThrownBy(() -> CloudEvents.envelope(bytes("{oops"), "application/json", "a", "p", "t", null, null, NOW))
        .hasMessageStartingWith("the JSON body is not JSON: ");
  }

  @Test
  void aRawPublishKeepsTheBytes() {
    Message m = PublishRequests.single(bytes("<x/>"), "application/xml", true, "a", "p", "t", null, null);
    assertThat(m.raw()).isTrue();
    assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("<x/>");
    assertThat(m.contentType()).isEqualTo("application/xml");
  }

  @Test
  void bulkEntriesAreReadWithoutRegardToTheCaseOfTheirFields() throws Exception {
    PublishRequests.Bulk bulk = PublishRequests.bulk(bytes("""
        [{"entryID": "a", "event": {"n": 1}, "contentType": "application/json"},
         {"entryId": "b", "event": "two", "contentType": "text/plain"},
         {"entryId": "c", "event": {"specversion": "1.0", "id": "c1", "source": "s", "type": "t", "data": 3},
          "contentType": "application/cloudevents+json"},
         {"entryId": "d", "event": "raw", "metadata": {"rawPayload": "true"}}]"""), false, "orders", "p", "t", null, null);
    assertThat(bulk.entryIds()).containsExactly("a", "b", "c", "d");
    assertThat(json(bulk.messages().get(0).body()).get("data").get("n").asInt()).isEqualTo(1);
    assertThat(json(bulk.messages().get(1).body()).get("data").asText()).isEqualTo("two");
    assertThat(json(bulk.messages().get(2).body()).get("id").asText()).isEqualTo("c1");
    assertThat(bulk.messages().get(3).raw()).isTrue();
    assertThat(new String(bulk.messages().get(3).body(), StandardCharsets.UTF_8)).isEqualTo("raw");

    assertThatThrownBy(() -> PublishRequests.bulk(bytes("[{\"entryId\":\"a\",\"event\":1},{\"entryId\":\"a\",\"event\":2}]"),
        false, "o", "p", "t", null, null)).hasMessage("[1].entryId: \"a\" (expected: an id unique in the request)");
    assertThatThrownBy(() -> PublishRequests.bulk(bytes("[{\"event\":1}]"), false, "o", "p", "t", null, null))
        .hasMessage("[0].entryId: missing (expected: an id unique in the request)");
    assertThatThrownBy(() -> PublishRequests.bulk(bytes("{}"), false, "o", "p", "t", null, null))
        .hasMessage("the body is not a JSON array of entries");
  }

  @Test
  void subscriptionsOfBothVersionsAreRead() {
    List<Subscription> list = Subscription.parseList(bytes("""
        [{"pubsubname": "p", "topic": "orders", "route": "orders-in", "deadLetterTopic": "poison",
          "metadata": {"rawPayload": "\\"true\\""}},
         {"pubsubname": "p", "topic": "events", "routes": {"rules": [
            {"match": "event.type == \\"order.created\\"", "path": "/created"},
            {"match": "event.source == 'legacy'", "path": "/legacy"}], "default": "/other"}}]"""));
    Subscription v1 = list.get(0);
    assertThat(v1.route()).isEqualTo("/orders-in");
    assertThat(v1.deadLetterTopic()).isEqualTo("poison");
    assertThat(v1.rawPayload()).isTrue();
    Subscription v2 = list.get(1);
    ObjectNode created = ModelMapper.json().createObjectNode().put("type", "order.created").put("source", "legacy");
    ObjectNode legacy = ModelMapper.json().createObjectNode().put("type", "x").put("source", "legacy");
    ObjectNode other = ModelMapper.json().createObjectNode().put("type", "x");
    assertThat(v2.pathFor(created)).isEqualTo("/created");
    assertThat(v2.pathFor(legacy)).isEqualTo("/legacy");
    assertThat(v2.pathFor(other)).isEqualTo("/other");
    assertThat(v2.pathFor(null)).isEqualTo("/other");
    assertThat(v2.rawPayload()).isFalse();
    assertThat(Subscription.parseList(bytes(""))).isEmpty();
  }

  @Test
  void aSubscriptionThatCannotBeHonouredIsRefused() {
    assertThatThrownBy(() -> Subscription.parseList(bytes("[{\"pubsubname\":\"p\",\"topic\":\"t\",\"routes\":{\"rules\":"
        + "[{\"match\":\"event.data.n > 3\",\"path\":\"/big\"}]}}]")))
        .hasMessage("[0].routes.rules[0].match: \"event.data.n > 3\" (expected: event.<attribute> == \"<value>\";"
            + " other CEL expressions are not supported)");
    assertThatThrownBy(() -> Subscription.parseList(bytes("[{\"pubsubname\":\"p\",\"topic\":\"t\"}]")))
        .hasMessage("[0]: no route (expected: route, or routes with rules or a default)");
    assertThatThrownBy(() -> Subscription.parseList(bytes("[{\"topic\":\"t\",\"route\":\"/r\"}]")))
        .hasMessage("[0].pubsubname: missing (expected: a name)");
    assertThatThrownBy(() -> Subscription.parseList(bytes("[{\"pubsubname\":\"p\",\"topic\":\"t\",\"route\":\"/r\","
        + "\"bulkSubscribe\":{\"enabled\":true}}]")))
        .hasMessage("[0].bulkSubscribe.enabled: true (expected: false; bulk subscribe is not supported)");
    assertThatThrownBy(() -> Subscription.parseList(bytes("{}"))).hasMessage("the subscription list is not a JSON array");
  }

  @Test
  void theAppsAnswerDecidesTheDelivery() {
    assertThat(Delivery.of(200, new byte[0])).isEqualTo(Delivery.SUCCESS);
    assertThat(Delivery.of(204, null)).isEqualTo(Delivery.SUCCESS);
    assertThat(Delivery.of(200, bytes("ok"))).isEqualTo(Delivery.SUCCESS);
    assertThat(Delivery.of(200, bytes("{\"status\":\"SUCCESS\"}"))).isEqualTo(Delivery.SUCCESS);
    assertThat(Delivery.of(200, bytes("{\"status\":\"RETRY\"}"))).isEqualTo(Delivery.RETRY);
    assertThat(Delivery.of(200, bytes("{\"status\":\"DROP\"}"))).isEqualTo(Delivery.DROP);
    assertThat(Delivery.of(200, bytes("{\"status\":\"MAYBE\"}"))).isEqualTo(Delivery.RETRY);
    assertThat(Delivery.of(404, bytes("no route"))).isEqualTo(Delivery.DROP);
    assertThat(Delivery.of(500, null)).isEqualTo(Delivery.RETRY);
    assertThat(Delivery.of(503, bytes("{\"status\":\"SUCCESS\"}"))).isEqualTo(Delivery.RETRY);
  }

  @Test
  void redeliveriesBackOffDoublingUpToTenSeconds() {
    assertThat(Delivery.backoff(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(Delivery.backoff(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(Delivery.backoff(5)).isEqualTo(Duration.ofMillis(1600));
    assertThat(Delivery.backoff(8)).isEqualTo(Duration.ofSeconds(10));
    assertThat(Delivery.backoff(1000)).isEqualTo(Duration.ofSeconds(10));
  }
}
