package io.meshwork.proxy.cluster;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands out the same {@link Endpoint} instance for the same address, labels and weight from one
 * snapshot to the next, so that a swap keeps the in-flight request counters least-request balancing
 * reads. Endpoints no longer used by the latest generation are forgotten.
 */
public final class EndpointRegistry {
  private record Key(InetSocketAddress address, Map<String, String> labels, int weight) {}

  private Map<Key, Endpoint> previous = Map.of();
  private Map<Key, Endpoint> current = new HashMap<>();

  /** Starts a snapshot: endpoints interned from now on are the ones the registry keeps. */
  public synchronized void beginGeneration() {
    current = new HashMap<>();
  }

  /** Ends a snapshot: endpoints the ended generation did not use are dropped. */
  public synchronized void endGeneration() {
    previous = current;
    current = new HashMap<>();
  }

  /** Abandons a snapshot that failed to compile: the previous generation stays the one kept. */
  public synchronized void abortGeneration() {
    current = new HashMap<>();
  }

  public synchronized Endpoint intern(InetSocketAddress address, Map<String, String> labels, int weight) {
    Key key = new Key(address, Map.copyOf(labels), weight);
    Endpoint e = current.get(key);
    if (e == null) {
      e = previous.get(key);
      if (e == null) {
        e = new Endpoint(address, key.labels(), weight);
      }
      current.put(key, e);
    }
    return e;
  }

  public synchronized int size() {
    return previous.size();
  }
}
