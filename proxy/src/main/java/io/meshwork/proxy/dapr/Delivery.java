package io.meshwork.proxy.dapr;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.codec.ModelMapper;
import java.io.IOException;
import java.time.Duration;

/**
 * What an app's answer to a delivered event means, as Dapr reads it: a 2xx with no body, a body that is
 * not JSON or {@code {"status": "SUCCESS"}} is a success; {@code "RETRY"} asks for redelivery and
 * {@code "DROP"} for none; any other status value is an error and retried. A 404 drops the event (the
 * app has no such route); every other status is retried.
 */
enum Delivery {
  SUCCESS,
  RETRY,
  DROP;

  /** Deliveries before an event whose subscription has a dead-letter topic goes there. */
  static final int ATTEMPTS_BEFORE_DEAD_LETTER = 5;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  static Delivery of(int status, byte[] body) {
    if (status == 404) {
      return DROP;
    }
    if (status < 200 || status > 299) {
      return RETRY;
    }
    if (body == null || body.length == 0) {
      return SUCCESS;
    }
    JsonNode root;
    try {
      root = ModelMapper.json().readTree(body);
    } catch (IOException e) {
      return SUCCESS;
    }
    if (root == null || !root.isObject() || !root.has("status")) {
      return SUCCESS;
    }
    return switch (root.get("status").asText("").toUpperCase(java.util.Locale.ROOT)) {
      case "SUCCESS", "" -> SUCCESS;
      case "DROP" -> DROP;
      default -> RETRY;
    };
  }

  /** The wait before delivery {@code attempt + 1} after {@code attempt} failed ones: doubling, capped. */
  static Duration backoff(int attempt) {
    int shift = Math.min(Math.max(attempt - 1, 0), 20);
    Duration d = FIRST_BACKOFF.multipliedBy(1L << shift);
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }
}
