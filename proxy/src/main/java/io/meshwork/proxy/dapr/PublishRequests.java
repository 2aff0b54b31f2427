package io.meshwork.proxy.dapr;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.codec.ModelMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the bodies of Dapr's publish and bulk publish requests into the messages a topic holds; a body
 * that is not what Dapr documents is refused with a message that says what is wrong and where.
 */
final class PublishRequests {
  private static final String DEFAULT_CONTENT_TYPE = "text/plain";

  private PublishRequests() {}

  /** The entries of a bulk publish, in order, with the ids the app gave them. */
  record Bulk(List<Message> messages, List<String> entryIds) {}

  static Message single(byte[] body, String contentType, boolean raw, String source, String pubsub, String topic,
      String traceparent, String tracestate) {
    String type = contentType == null || contentType.isEmpty() ? DEFAULT_CONTENT_TYPE : contentType;
    if (raw) {
      return new Message(body, type, true);
    }
    byte[] event = CloudEvents.envelope(body, type, source, pubsub, topic, traceparent, tracestate, Instant.now())
        .toString().getBytes(StandardCharsets.UTF_8);
    return new Message(event, CloudEvents.CONTENT_TYPE, false);
  }

  /**
   * {@code [{entryId, event, contentType, metadata}]}. Field names are matched without regard to case, as
   * Dapr's JSON decoding does (the JavaScript SDK sends {@code entryID}).
   */
  static Bulk bulk(byte[] body, boolean raw, String source, String pubsub, String topic, String traceparent,
      String tracestate) {
    JsonNode root;
    try {
      root = ModelMapper.json().readTree(body);
    } catch (IOException e) {
      throw new StateRequests.Malformed("the body is not JSON");
    }
    if (root == null || !root.isArray()) {
      throw new StateRequests.Malformed("the body is not a JSON array of entries");
    }
    List<Message> messages = new ArrayList<>(root.size());
    List<String> ids = new ArrayList<>(root.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < root.size(); i++) {
      String at = "[" + i + "]";
      JsonNode entry = root.get(i);
      if (!entry.isObject()) {
        throw new StateRequests.Malformed(at + ": " + entry + " (expected: {entryId, event, contentType, metadata})");
      }
      JsonNode id = field(entry, "entryId");
      if (id == null || !id.isTextual() || id.asText().isEmpty()) {
        throw new StateRequests.Malformed(at + ".entryId: " + (id == null ? "missing" : id.toString())
            + " (expected: an id unique in the request)");
      }
      if (!seen.add(id.asText())) {
        throw new StateRequests.Malformed(at + ".entryId: \"" + id.asText() + "\" (expected: an id unique in the request)");
      }
      JsonNode event = field(entry, "event");
      if (event == null) {
        throw new StateRequests.Malformed(at + ".event: missing (expected: the event's data)");
      }
      JsonNode ct = field(entry, "contentType");
      String contentType = ct != null && ct.isTextual() && !ct.asText().isEmpty() ? ct.asText()
          : event.isTextual() ? DEFAULT_CONTENT_TYPE : "application/json";
      boolean entryRaw = raw;
      JsonNode metadata = field(entry, "metadata");
      if (metadata != null && metadata.isObject()) {
        for (Map.Entry<String, JsonNode> m : metadata.properties()) {
          if (m.getKey().equals("rawPayload")) {
            entryRaw = m.getValue().asText().equalsIgnoreCase("true");
          }
        }
      }
      byte[] data = event.isTextual() && !CloudEvents.isJson(contentType) && !CloudEvents.isCloudEvent(contentType)
          ? event.asText().getBytes(StandardCharsets.UTF_8)
          : event.toString().getBytes(StandardCharsets.UTF_8);
      try {
        messages.add(single(data, contentType, entryRaw, source, pubsub, topic, traceparent, tracestate));
      } catch (StateRequests.Malformed e) {
        throw new StateRequests.Malformed(at + ".event: " + e.getMessage());
      }
      ids.add(id.asText());
    }
    return new Bulk(List.copyOf(messages), List.copyOf(ids));
  }

  private static JsonNode field(JsonNode entry, String name) {
    for (Map.Entry<String, JsonNode> e : entry.properties()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }
}
