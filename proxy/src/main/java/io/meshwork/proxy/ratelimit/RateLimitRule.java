package io.meshwork.proxy.ratelimit;

import io.meshwork.model.meshwork.RateLimitPolicy;
import io.meshwork.proxy.route.RouteMatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * One RateLimitPolicy, compiled for this sidecar: which requests it counts, how callers are told
 * apart, and its buckets (carried over from snapshot to snapshot while the policy is unchanged).
 *
 * @param name the policy's name, as the RateLimit fields carry it
 * @param direction the side of the workload it guards
 * @param match the requests it counts
 * @param key how callers are separated into buckets
 * @param limit requests per window (the refill rate)
 * @param windowSeconds the unit, in seconds
 * @param capacity tokens a full bucket holds: {@code limit + burst}
 * @param dryRun count requests over the limit without refusing them
 * @param state the buckets and counters
 */
public record RateLimitRule(String name, RateLimitPolicy.Direction direction, RouteMatch match, CallerKey key,
    int limit, long windowSeconds, long capacity, boolean dryRun, State state) {

  public RateLimitRule {
    if (limit < 1) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    if (capacity < limit) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= " + limit + ")");
    }
  }

  /** Nanoseconds between two tokens. */
  public long intervalNanos() {
    return Math.max(1, windowSeconds * 1_000_000_000L / limit);
  }

  /** The buckets of one policy and what they counted; shared by every event loop. */
  public static final class State {
    final CallerBuckets buckets;
    final LongAdder admitted = new LongAdder();
    final LongAdder limited = new LongAdder();
    final LongAdder shadowLimited = new LongAdder();

    public State(boolean perCaller, int maxCallers, long nowNanos) {
      this.buckets = new CallerBuckets(perCaller, maxCallers, nowNanos);
    }

    /** Requests the policy let through. */
    public long admitted() {
      return admitted.sum();
    }

    /** Requests the policy refused. */
    public long limited() {
      return limited.sum();
    }

    /** Requests over the limit that went on because the policy is a dry run. */
    public long shadowLimited() {
      return shadowLimited.sum();
    }

    /** Caller buckets dropped to stay within the bound. */
    public long evictions() {
      return buckets.evictions();
    }

    /** Caller buckets held now. */
    public int callers() {
      return buckets.size();
    }
  }
}
