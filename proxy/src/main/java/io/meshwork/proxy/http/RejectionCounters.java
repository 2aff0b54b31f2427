package io.meshwork.proxy.http;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rejected downstream requests by reason, and downstream connections that ended with an error
 * nobody handled ({@link ConnectionError}); updated from every event loop, read by metrics.
 */
public final class RejectionCounters {
  private final EnumMap<RejectReason, LongAdder> counts = new EnumMap<>(RejectReason.class);
  private final EnumMap<ConnectionError, LongAdder> connectionErrors = new EnumMap<>(ConnectionError.class);

  public RejectionCounters() {
    for (RejectReason reason : RejectReason.values()) {
      counts.put(reason, new LongAdder());
    }
    for (ConnectionError reason : ConnectionError.values()) {
      connectionErrors.put(reason, new LongAdder());
    }
  }

  public void record(RejectReason reason) {
    counts.get(reason).increment();
  }

  public void record(ConnectionError reason) {
    connectionErrors.get(reason).increment();
  }

  public long count(ConnectionError reason) {
    return connectionErrors.get(reason).sum();
  }

  /** Every connection error reason with its count, in declaration order. */
  public Map<ConnectionError, Long> connectionErrors() {
    EnumMap<ConnectionError, Long> copy = new EnumMap<>(ConnectionError.class);
    connectionErrors.forEach((reason, adder) -> copy.put(reason, adder.sum()));
    return copy;
  }

  public long count(RejectReason reason) {
    return counts.get(reason).sum();
  }

  /** Rejected requests, all reasons (connection errors not included). */
  public long total() {
    long sum = 0;
    for (LongAdder adder : counts.values()) {
      sum += adder.sum();
    }
    return sum;
  }

  /** Every reason with its count, in declaration order. */
  public Map<RejectReason, Long> snapshot() {
    EnumMap<RejectReason, Long> copy = new EnumMap<>(RejectReason.class);
    counts.forEach((reason, adder) -> copy.put(reason, adder.sum()));
    return copy;
  }
}
