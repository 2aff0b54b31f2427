package io.meshwork.proxy.dapr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.codec.ModelMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;

/**
 * CloudEvents 1.0 envelopes (JSON event format) as Dapr writes them around a published message: the
 * required attributes {@code specversion, id, source, type}, {@code datacontenttype}, and Dapr's
 * extensions {@code topic, pubsubname, traceid, traceparent, tracestate, time}. JSON data stays JSON,
 * other text becomes a string, and anything else goes in {@code data_base64}.
 */
final class CloudEvents {
  static final String CONTENT_TYPE = "application/cloudevents+json";
  static final String DEFAULT_TYPE = "com.dapr.event.sent";

  private CloudEvents() {}

  /** Whether a {@code Content-Type} names JSON ({@code application/json} or a {@code +json} type). */
  static boolean isJson(String contentType) {
    String base = base(contentType);
    return base.equals("application/json") || base.endsWith("+json");
  }

  static boolean isCloudEvent(String contentType) {
    return base(contentType).equals(CONTENT_TYPE);
  }

  private static String base(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
  }

  /**
   * The envelope of a published body. A body that is already a CloudEvent keeps its attributes; the
   * missing ones are filled in as for any other body.
   *
   * @throws StateRequests.Malformed when a CloudEvent body is not a JSON object, or a JSON body is not JSON
   */
  static ObjectNode envelope(byte[] body, String contentType, String source, String pubsub, String topic,
      String traceparent, String tracestate, Instant now) {
    ObjectNode event;
    if (isCloudEvent(contentType)) {
      JsonNode parsed = parse(body, "the CloudEvent");
      if (!parsed.isObject()) {
        throw new StateRequests.Malformed("the body is not a CloudEvent: " + abbreviate(parsed) + " (expected: a JSON object)");
      }
      event = (ObjectNode) parsed;
    } else {
      event = ModelMapper.json().createObjectNode();
      String type = contentType == null || contentType.isEmpty() ? "text/plain" : contentType;
      event.put("datacontenttype", type);
      if (isJson(type)) {
        event.set("data", parse(body, "the JSON body"));
      } else if (base(type).startsWith("text/") || base(type).endsWith("/xml")) {
        event.put("data", new String(body, StandardCharsets.UTF_8));
      } else {
        event.put("data_base64", Base64.getEncoder().encodeToString(body));
      }
    }
    fill(event, "specversion", "1.0");
    fill(event, "id", UUID.randomUUID().toString());
    fill(event, "source", source);
    fill(event, "type", DEFAULT_TYPE);
    fill(event, "datacontenttype", "application/json");
    event.put("topic", topic);
    event.put("pubsubname", pubsub);
    fill(event, "time", now.toString());
    if (traceparent != null) {
      fill(event, "traceid", traceparent);
      fill(event, "traceparent", traceparent);
    }
    if (tracestate != null) {
      fill(event, "tracestate", tracestate);
    }
    return event;
  }

  /** A raw message (published with {@code rawPayload}) as a CloudEvent, for a subscriber that wants one. */
  static ObjectNode wrapRaw(Message raw, String source, String pubsub, String topic, Instant now) {
    ObjectNode event = ModelMapper.json().createObjectNode();
    event.put("specversion", "1.0");
    event.put("id", UUID.randomUUID().toString());
    event.put("source", source);
    event.put("type", DEFAULT_TYPE);
    event.put("datacontenttype", "application/octet-stream");
    event.put("data_base64", Base64.getEncoder().encodeToString(raw.body()));
    event.put("topic", topic);
    event.put("pubsubname", pubsub);
    event.put("time", now.toString());
    return event;
  }

  private static void fill(ObjectNode event, String field, String value) {
    JsonNode v = event.get(field);
    if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
      event.put(field, value);
    }
  }

  private static JsonNode parse(byte[] body, String what) {
    try {
      JsonNode node = ModelMapper.json().readTree(body);
      if (node == null || node.isMissingNode()) {
        throw new StateRequests.Malformed(what + " is empty (expected: JSON)");
      }
      return node;
    } catch (IOException e) {
      throw new StateRequests.Malformed(what + " is not JSON: "
          + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
  }

  private static String abbreviate(JsonNode node) {
    String text = node.toString();
    return text.length() > 60 ? text.substring(0, 60) + "..." : text;
  }
}
