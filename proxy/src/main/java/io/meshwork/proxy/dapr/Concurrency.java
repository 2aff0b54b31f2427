package io.meshwork.proxy.dapr;

import java.util.Optional;

/**
 * Dapr's {@code options.concurrency}. With an ETag, a write succeeds only when the item still has that
 * ETag; {@code first-write} without an ETag succeeds only when the item does not exist yet;
 * {@code last-write} ignores ETags.
 */
public enum Concurrency {
  UNSET,
  FIRST_WRITE,
  LAST_WRITE;

  static Optional<Concurrency> parse(String text) {
    return switch (text == null ? "" : text) {
      case "" -> Optional.of(UNSET);
      case "first-write" -> Optional.of(FIRST_WRITE);
      case "last-write" -> Optional.of(LAST_WRITE);
      default -> Optional.empty();
    };
  }
}
