package io.meshwork.proxy.dapr;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A Dapr state store. Every call returns at once: the work runs on the store's own threads (a bounded
 * executor for JDBC, Lettuce's for Redis), never on the caller's event loop. A failed future carries a
 * {@link StateFailure}.
 */
public interface StateStore extends AutoCloseable {
  /** The item, or null when there is none (or it has expired). */
  CompletableFuture<StateItem> get(String key);

  /** Applies every operation or none: one ETag that does not match fails them all. */
  CompletableFuture<Void> apply(List<StateOperation> operations);

  /** Releases connections and threads; calls made afterwards fail. */
  @Override
  void close();
}
