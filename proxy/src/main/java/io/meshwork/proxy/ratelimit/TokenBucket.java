package io.meshwork.proxy.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One token bucket, kept as the generic cell rate algorithm's theoretical arrival time (RFC 2475's
 * token bucket, expressed as one number): a bucket of {@code capacity} tokens refilled one token
 * every {@code interval} nanoseconds is full when the arrival time is at or before now, and empty
 * when it is {@code capacity * interval} ahead of now. One atomic long, updated by compare-and-set,
 * so every event loop may take from the same bucket without a lock and without allocating.
 */
final class TokenBucket {
  private final AtomicLong arrival;
  private volatile long lastUsedNanos;

  TokenBucket(long nowNanos) {
    this.arrival = new AtomicLong(nowNanos);
    this.lastUsedNanos = nowNanos;
  }

  /**
   * Takes one token.
   *
   * @return the tokens left (>= 0) when a token was taken, else {@code -1 - nanos} until one is available
   */
  long take(long nowNanos, long intervalNanos, long capacity) {
    lastUsedNanos = nowNanos;
    long window = capacity * intervalNanos;
    while (true) {
      long current = arrival.get();
      long next = Math.max(current, nowNanos) + intervalNanos;
      long ahead = next - nowNanos;
      if (ahead > window) {
        return -1 - (ahead - window);
      }
      if (arrival.compareAndSet(current, next)) {
        return (window - ahead) / intervalNanos;
      }
    }
  }

  /** When the bucket will be full again, in nanoseconds from now (0 when it is full). */
  long nanosUntilFull(long nowNanos) {
    return Math.max(0, arrival.get() - nowNanos);
  }

  long lastUsedNanos() {
    return lastUsedNanos;
  }
}
