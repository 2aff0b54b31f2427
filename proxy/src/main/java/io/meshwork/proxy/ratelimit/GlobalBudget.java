package io.meshwork.proxy.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This sidecar's share of one GLOBAL budget (one policy, one caller key): the tokens leased from the counters and
 * not yet spent, valid until the lease's window ends. Spending is one compare-and-set on the event loop; a new lease
 * is asked for, in the background, when the share runs low, so a request waits for the counters only when the share
 * is empty. Every field is shared by all event loops.
 */
final class GlobalBudget {
  /** {@link #take}: no tokens at hand; a lease is on its way ({@link #pending()}). */
  static final long FETCHING = -1;
  /** {@link #take}: no tokens at hand and the counters cannot be reached. */
  static final long UNAVAILABLE = -2;

  private final GlobalLimit limit;
  private final String key;
  private final AtomicLong tokens = new AtomicLong();
  private volatile long expiresAt;
  private volatile long exhaustedUntil;
  private volatile boolean leased;
  private volatile CompletableFuture<Void> pending;

  GlobalBudget(GlobalLimit limit, String key, long nowNanos) {
    this.limit = limit;
    this.key = key;
    this.expiresAt = nowNanos;
    this.exhaustedUntil = nowNanos;
  }

  /**
   * Spends one token.
   *
   * @return the tokens left at hand (>= 0) when one was spent; {@link #FETCHING}; {@link #UNAVAILABLE}; or, when the
   *     window's quota is spent, {@code -3 - nanos} until the window ends
   */
  long take(long now) {
    if (now < expiresAt) {
      while (true) {
        long t = tokens.get();
        if (t <= 0) {
          break;
        }
        if (tokens.compareAndSet(t, t - 1)) {
          if (t - 1 <= limit.lowWater()) {
            fetch(now);
          }
          return t - 1;
        }
      }
    }
    if (now < exhaustedUntil) {
      return -3 - (exhaustedUntil - now);
    }
    if (limit.unreachable()) {
      // Within an outage requests do not wait for counters that are not answering; a probe goes out now and then.
      if (limit.mayProbe(now)) {
        fetch(now);
      }
      return UNAVAILABLE;
    }
    fetch(now);
    return FETCHING;
  }

  /** Gives back a token spent by a request that another GLOBAL policy then refused or made wait. */
  void giveBack() {
    tokens.incrementAndGet();
  }

  /** The lease on its way, or a completed future when none is. */
  CompletableFuture<Void> pending() {
    CompletableFuture<Void> p = pending;
    return p == null ? CompletableFuture.completedFuture(null) : p;
  }

  private void fetch(long now) {
    if (pending != null) {
      return;
    }
    synchronized (this) {
      if (pending != null) {
        return;
      }
      CompletableFuture<Void> next = new CompletableFuture<>();
      pending = next;
      limit.leases.increment();
      CompletableFuture<GlobalCounters.Lease> lease;
      try {
        lease = limit.counters().lease(limit.namespace(), limit.policy(), key, limit.batch());
      } catch (RuntimeException e) {
        lease = CompletableFuture.failedFuture(e);
      }
      lease.whenComplete((granted, failure) -> {
        long at = limit.nanoClock().getAsLong();
        if (failure != null) {
          limit.failed(at, failure);
        } else {
          limit.answered();
          arrived(granted, at);
        }
        pending = null;
        next.complete(null);
      });
    }
  }

  private void arrived(GlobalCounters.Lease lease, long now) {
    long ends = now + lease.windowRemainingMillis() * 1_000_000L;
    if (lease.granted() == 0) {
      exhaustedUntil = ends;
      return;
    }
    // A window that ends later than the one at hand (by more than a round trip) is a new one: what is left of the
    // old window's tokens is not carried into it.
    if (!leased || now >= expiresAt || ends > expiresAt + GlobalLimit.NEW_WINDOW_SLACK_NANOS) {
      tokens.set(lease.granted());
    } else {
      tokens.addAndGet(lease.granted());
    }
    expiresAt = ends;
    leased = true;
  }
}
