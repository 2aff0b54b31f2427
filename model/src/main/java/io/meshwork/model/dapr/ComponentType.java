package io.meshwork.model.dapr;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The component types Meshwork implements, each with the metadata it reads (Dapr's names). A type or a
 * metadata name not listed here is refused, so that a setting is never silently ignored.
 */
public enum ComponentType {
  /** A SQLite file; by default one in the sidecar's data folder, readable by its owner only. */
  STATE_SQLITE("state.sqlite", Map.of(
      "connectionString", Value.TEXT,
      "tableName", Value.IDENTIFIER,
      "timeout", Value.DURATION,
      "busyTimeout", Value.DURATION,
      "cleanupInterval", Value.DURATION,
      "keyPrefix", Value.KEY_PREFIX), List.of()),
  /** A Redis server; values are hashes of {@code data} and {@code version}, as Dapr stores them. */
  STATE_REDIS("state.redis", Map.of(
      "redisHost", Value.HOST_PORT,
      "redisUsername", Value.TEXT,
      "redisPassword", Value.TEXT,
      "redisDB", Value.NON_NEGATIVE_INTEGER,
      "enableTLS", Value.BOOLEAN,
      "dialTimeout", Value.DURATION,
      "readTimeout", Value.DURATION,
      "ttlInSeconds", Value.TTL,
      "keyPrefix", Value.KEY_PREFIX), List.of("redisHost")),
  /** Topics inside one sidecar: publisher and subscribers are the same app; nothing survives a restart. */
  PUBSUB_IN_MEMORY("pubsub.in-memory", Map.of(), List.of()),
  /** Redis Streams: a stream per topic, a consumer group per subscribing app ({@code consumerID}). */
  PUBSUB_REDIS("pubsub.redis", Map.of(
      "redisHost", Value.HOST_PORT,
      "redisUsername", Value.TEXT,
      "redisPassword", Value.TEXT,
      "redisDB", Value.NON_NEGATIVE_INTEGER,
      "enableTLS", Value.BOOLEAN,
      "dialTimeout", Value.DURATION,
      "readTimeout", Value.DURATION,
      "consumerID", Value.TEXT,
      "maxLenApprox", Value.NON_NEGATIVE_INTEGER), List.of("redisHost"));

  private final String typeName;
  private final Map<String, Value> metadata;
  private final List<String> required;

  ComponentType(String typeName, Map<String, Value> metadata, List<String> required) {
    this.typeName = typeName;
    this.metadata = metadata;
    this.required = required;
  }

  /** As written in {@code spec.type}, e.g. "state.redis". */
  public String typeName() {
    return typeName;
  }

  /** Metadata name → the kind of value it takes. */
  public Map<String, Value> metadata() {
    return metadata;
  }

  public List<String> required() {
    return required;
  }

  public boolean isStateStore() {
    return typeName.startsWith("state.");
  }

  public boolean isPubSub() {
    return typeName.startsWith("pubsub.");
  }

  public static Optional<ComponentType> of(String typeName) {
    return Arrays.stream(values()).filter(t -> t.typeName.equals(typeName)).findFirst();
  }

  public static String known() {
    return String.join(", ", Arrays.stream(values()).map(ComponentType::typeName).toList());
  }

  /** What a metadata value must look like. */
  public enum Value {
    TEXT("text"),
    IDENTIFIER("a table name of letters, digits and underscores, not starting with a digit"),
    DURATION("a duration such as 10s, 500ms or 2m"),
    HOST_PORT("host:port, e.g. localhost:6379"),
    NON_NEGATIVE_INTEGER("an integer >= 0"),
    BOOLEAN("true or false"),
    TTL("an integer number of seconds >= -1 (-1: never expires)"),
    KEY_PREFIX("appid, name, namespace, none, or a fixed prefix without ||");

    private final String expected;

    Value(String expected) {
      this.expected = expected;
    }

    public String expected() {
      return expected;
    }
  }
}
