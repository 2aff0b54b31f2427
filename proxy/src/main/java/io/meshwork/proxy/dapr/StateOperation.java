package io.meshwork.proxy.dapr;

/** One write of a save, a delete or a transaction; keys are already prefixed for the store. */
public sealed interface StateOperation {
  String key();

  String etag();

  Concurrency concurrency();

  /**
   * @param value the value's bytes (JSON as the app sent it)
   * @param ttlSeconds seconds until the item expires; null for the store's default, -1 for never
   */
  record Upsert(String key, byte[] value, String etag, Concurrency concurrency, Long ttlSeconds)
      implements StateOperation {}

  record Delete(String key, String etag, Concurrency concurrency) implements StateOperation {}

  /**
   * Whether the operation may run against an item whose current ETag is {@code current} (null when the
   * item does not exist or has expired).
   */
  default boolean admits(String current) {
    if (concurrency() == Concurrency.LAST_WRITE) {
      return true;
    }
    if (etag() != null) {
      return etag().equals(current);
    }
    return !(concurrency() == Concurrency.FIRST_WRITE && this instanceof Upsert && current != null);
  }
}
