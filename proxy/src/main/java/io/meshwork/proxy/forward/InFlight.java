package io.meshwork.proxy.forward;

import java.util.concurrent.atomic.LongAdder;

/** Counts exchanges in progress across every event loop, for graceful draining; cheap to update from many threads. */
public final class InFlight {
  private final LongAdder count = new LongAdder();

  void started() {
    count.increment();
  }

  void finished() {
    count.decrement();
  }

  public long count() {
    return count.sum();
  }
}
