package io.meshwork.proxy.cluster;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An endpoint's outlier-detection state. It lives on the {@link Endpoint}, which is interned from
 * one snapshot to the next, so an ejection outlasts a configuration change.
 */
public final class EjectionState {
  /** Consecutive 5xx responses (and local failures, which Envoy counts as 5xx unless split). */
  public final AtomicInteger consecutive5xx = new AtomicInteger();
  /** Consecutive 502, 503, 504 responses and local failures. */
  public final AtomicInteger consecutiveGateway = new AtomicInteger();
  /** Consecutive local-origin failures (connect failures, resets, timeouts), counted when they are split from 5xx. */
  public final AtomicInteger consecutiveLocalOrigin = new AtomicInteger();
  /** Attempts that ended in the current detection interval, and how many of them failed. */
  public final LongAdder intervalRequests = new LongAdder();
  public final LongAdder intervalFailures = new LongAdder();
  private volatile long ejectedUntilNanos;
  private boolean ejected;
  private int timesEjected;
  private long unejectedAtNanos;

  /** Whether the endpoint is ejected at {@code now}; an ejection whose time passed ends here. */
  public boolean isEjected(long now) {
    if (ejectedUntilNanos == 0) {
      return false;
    }
    synchronized (this) {
      if (ejected && now - ejectedUntilNanos >= 0) {
        ejected = false;
        ejectedUntilNanos = 0;
        unejectedAtNanos = now;
      }
      return ejected;
    }
  }

  /**
   * Ejects the endpoint unless it already is. The multiplier is the number of ejections, less one
   * for every whole {@code intervalNanos} the endpoint stayed in since its last ejection (Envoy).
   *
   * @return the ejection's length in nanoseconds, or -1 when it was already ejected
   */
  public synchronized long eject(long now, long baseNanos, long maxNanos, long intervalNanos) {
    if (ejected) {
      return -1;
    }
    if (timesEjected > 0 && intervalNanos > 0) {
      long healthyIntervals = (now - unejectedAtNanos) / intervalNanos;
      timesEjected = (int) Math.max(0, timesEjected - healthyIntervals);
    }
    timesEjected++;
    long length = Math.min(maxNanos, baseNanos * timesEjected);
    ejected = true;
    long until = now + length;
    ejectedUntilNanos = until == 0 ? 1 : until;
    consecutive5xx.set(0);
    consecutiveGateway.set(0);
    consecutiveLocalOrigin.set(0);
    return length;
  }

  public synchronized int timesEjected() {
    return timesEjected;
  }
}
