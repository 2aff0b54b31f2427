package io.meshwork.proxy.retry;

import java.time.Duration;

/**
 * Exponential backoff with full jitter (Envoy's retry back-off): the n-th retry waits a uniform
 * random time in [0, min(max, base * 2^(n-1))).
 *
 * @param base the first interval
 * @param max the cap on the interval
 */
public record Backoff(Duration base, Duration max) {
  public Backoff {
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("base: " + base + " (expected: > 0)");
    }
    if (max.compareTo(base) < 0) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= base " + base + ")");
    }
  }

  public static Backoff of(RetryPolicy policy) {
    Duration base = policy.baseInterval().isZero() || policy.baseInterval().isNegative()
        ? RetryPolicy.DEFAULT_BASE_INTERVAL
        : policy.baseInterval();
    Duration max = policy.maxInterval().compareTo(base) < 0 ? base.multipliedBy(10) : policy.maxInterval();
    return new Backoff(base, max);
  }

  /** The upper bound of the wait before retry number {@code retry} (1-based). */
  public long ceilingNanos(int retry) {
    long baseNanos = base.toNanos();
    long maxNanos = max.toNanos();
    int shift = Math.min(Math.max(retry - 1, 0), 30);
    long ceiling = baseNanos << shift;
    return ceiling <= 0 || ceiling > maxNanos || (ceiling >> shift) != baseNanos ? maxNanos : ceiling;
  }

  /** The wait before retry number {@code retry}, for a uniform {@code random} in [0, 1). */
  public long delayNanos(int retry, double random) {
    return (long) (ceilingNanos(retry) * random);
  }
}
