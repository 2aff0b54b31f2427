package io.meshwork.proxy.dapr;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.codec.ModelMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the bodies of Dapr's state API (save, bulk get, transaction) into operations; a body that is
 * not what Dapr documents is refused with {@code ERR_MALFORMED_REQUEST} and a message that says what is
 * wrong and where.
 */
final class StateRequests {
  /** Dapr's key separator: an app's key {@code k} is stored as {@code <app-id>||k}. */
  static final String SEPARATOR = "||";

  /** A refused body; carries its Dapr error, never a stack trace. */
  static final class Malformed extends RuntimeException {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private StateRequests() {}

  /** {@code [{key, value, etag, metadata, options}]}. */
  static List<StateOperation> save(byte[] body, KeyPrefix prefix) {
    JsonNode root = json(body);
    if (!root.isArray()) {
      throw new Malformed("the body is not a JSON array of state items");
    }
    List<StateOperation> ops = new ArrayList<>(root.size());
    for (int i = 0; i < root.size(); i++) {
      ops.add(upsert(root.get(i), "[" + i + "]", prefix));
    }
    return ops;
  }

  /** {@code {keys: [...], parallelism}}: the keys as the app names them. */
  static List<String> bulkKeys(byte[] body) {
    JsonNode root = json(body);
    JsonNode keys = root.get("keys");
    if (keys == null || !keys.isArray()) {
      throw new Malformed("keys: missing (expected: a list of keys)");
    }
    List<String> out = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      if (!keys.get(i).isTextual()) {
        throw new Malformed("keys[" + i + "]: " + keys.get(i) + " (expected: a key)");
      }
      out.add(checkKey(keys.get(i).asText(), "keys[" + i + "]"));
    }
    return out;
  }

  /** {@code {operations: [{operation: upsert|delete, request: {...}}], metadata}}. */
  static List<StateOperation> transaction(byte[] body, KeyPrefix prefix) {
    JsonNode root = json(body);
    JsonNode operations = root.get("operations");
    if (operations == null || !operations.isArray()) {
      throw new Malformed("operations: missing (expected: a list of upsert and delete operations)");
    }
    List<StateOperation> ops = new ArrayList<>(operations.size());
    for (int i = 0; i < operations.size(); i++) {
      String at = "operations[" + i + "]";
      JsonNode op = operations.get(i);
      JsonNode request = op.get("request");
      if (request == null || !request.isObject()) {
        throw new Malformed(at + ".request: missing (expected: {key, value, etag, options})");
      }
      String kind = op.path("operation").asText("");
      ops.add(switch (kind) {
        case "upsert" -> upsert(request, at + ".request", prefix);
        case "delete" -> {
          String key = prefix.apply(checkKey(text(request, "key", at + ".request"), at + ".request.key"));
          yield new StateOperation.Delete(key, etag(request, at + ".request"),
              concurrency(request.path("options").path("concurrency").asText(""), at + ".request.options"));
        }
        default -> throw new Malformed(at + ".operation: \"" + kind + "\" (expected: upsert or delete)");
      });
    }
    return ops;
  }

  private static StateOperation.Upsert upsert(JsonNode item, String at, KeyPrefix prefix) {
    if (!item.isObject()) {
      throw new Malformed(at + ": " + item + " (expected: {key, value, etag, metadata, options})");
    }
    String key = prefix.apply(checkKey(text(item, "key", at), at + ".key"));
    JsonNode value = item.get("value");
    byte[] bytes = (value == null ? "null" : value.toString()).getBytes(StandardCharsets.UTF_8);
    Long ttl = null;
    JsonNode metadata = item.get("metadata");
    if (metadata != null && metadata.has("ttlInSeconds")) {
      ttl = ttl(metadata.get("ttlInSeconds").asText(), at + ".metadata.ttlInSeconds");
    }
    return new StateOperation.Upsert(key, bytes, etag(item, at),
        concurrency(item.path("options").path("concurrency").asText(""), at + ".options"), ttl);
  }

  static Long ttl(String text, String at) {
    try {
      long ttl = Long.parseLong(text);
      if (ttl >= -1) {
        return ttl;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new Malformed(at + ": \"" + text + "\" (expected: an integer number of seconds >= -1; -1: never expires)");
  }

  static Concurrency concurrency(String text, String at) {
    return Concurrency.parse(text).orElseThrow(() ->
        new Malformed(at + ".concurrency: \"" + text + "\" (expected: first-write or last-write)"));
  }

  static String checkKey(String key, String at) {
    if (key.isEmpty()) {
      throw new Malformed(at + ": empty (expected: a key)");
    }
    if (key.contains(SEPARATOR)) {
      throw new Malformed(at + ": \"" + key + "\" (expected: a key without " + SEPARATOR + ")");
    }
    return key;
  }

  private static String etag(JsonNode item, String at) {
    JsonNode etag = item.get("etag");
    if (etag == null || etag.isNull() || (etag.isTextual() && etag.asText().isEmpty())) {
      return null;
    }
    if (!etag.isTextual()) {
      throw new Malformed(at + ".etag: " + etag + " (expected: the ETag a read returned, as a string)");
    }
    return etag.asText();
  }

  private static String text(JsonNode item, String field, String at) {
    JsonNode v = item.get(field);
    if (v == null || !v.isTextual()) {
      throw new Malformed(at + "." + field + ": " + (v == null ? "missing" : v.toString()) + " (expected: a string)");
    }
    return v.asText();
  }

  private static JsonNode json(byte[] body) {
    try {
      JsonNode root = ModelMapper.json().readTree(body);
      if (root == null || root.isMissingNode()) {
        throw new Malformed("the body is empty (expected: JSON)");
      }
      return root;
    } catch (IOException e) {
      throw new Malformed("the body is not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
  }

  /** How the app's keys are stored: Dapr's {@code keyPrefix} metadata. */
  record KeyPrefix(String prefix) {
    static KeyPrefix of(String setting, String appId, String namespace, String storeName) {
      return new KeyPrefix(switch (setting) {
        case "appid" -> appId + SEPARATOR;
        case "name" -> storeName + SEPARATOR;
        case "namespace" -> namespace + "." + appId + SEPARATOR;
        case "none" -> "";
        default -> setting + SEPARATOR;
      });
    }

    String apply(String key) {
      return prefix + key;
    }
  }
}
