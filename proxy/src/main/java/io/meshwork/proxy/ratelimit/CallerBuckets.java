package io.meshwork.proxy.ratelimit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The buckets of one policy, one per caller key, bounded in number: past {@code maxCallers} the
 * least recently used bucket is dropped (and counted), so a caller that varies its key (a header)
 * gets fresh buckets at worst, never unbounded memory. The index is split into stripes, each a
 * small access-ordered map under its own lock held only for the lookup; the buckets themselves are
 * lock-free. A policy without a key has a single bucket and no index.
 */
final class CallerBuckets {
  private static final int STRIPES = 16;

  private final TokenBucket shared;
  private final Stripe[] stripes;
  private final LongAdder evictions = new LongAdder();

  CallerBuckets(boolean perCaller, int maxCallers, long nowNanos) {
    if (perCaller) {
      shared = null;
      stripes = new Stripe[STRIPES];
      int perStripe = Math.max(1, maxCallers / STRIPES);
      for (int i = 0; i < STRIPES; i++) {
        stripes[i] = new Stripe(perStripe);
      }
    } else {
      shared = new TokenBucket(nowNanos);
      stripes = null;
    }
  }

  /** The bucket of {@code key} (ignored for a policy without a key), made full when new. */
  TokenBucket bucket(Object key, long nowNanos) {
    if (shared != null) {
      return shared;
    }
    int h = key.hashCode();
    Stripe stripe = stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
    synchronized (stripe) {
      TokenBucket b = stripe.get(key);
      if (b == null) {
        b = new TokenBucket(nowNanos);
        stripe.put(key, b);
      }
      return b;
    }
  }

  /** How many caller buckets were dropped to stay within the bound. */
  long evictions() {
    return evictions.sum();
  }

  /** How many caller buckets are held now. */
  int size() {
    if (shared != null) {
      return 1;
    }
    int n = 0;
    for (Stripe s : stripes) {
      synchronized (s) {
        n += s.size();
      }
    }
    return n;
  }

  private final class Stripe extends LinkedHashMap<Object, TokenBucket> {
    private final int max;

    Stripe(int max) {
      super(16, 0.75f, true);
      this.max = max;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<Object, TokenBucket> eldest) {
      if (size() > max) {
        evictions.increment();
        return true;
      }
      return false;
    }
  }
}
