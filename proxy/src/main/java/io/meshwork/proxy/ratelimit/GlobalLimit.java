package io.meshwork.proxy.ratelimit;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one GLOBAL policy in this sidecar: where its counters are, its shares of the budget per caller key
 * (bounded: least recently used dropped, counted), whether the counters answer, and what it counted. Shared by
 * every event loop, carried from snapshot to snapshot while the policy is unchanged.
 *
 * <p>A sidecar leases a tenth of the window's quota at a time (at least 1, at most {@link #MAX_BATCH}) and asks for
 * the next lease when its share falls to half a lease. A lease that has not answered within {@link #DEADLINE} counts
 * as a failure; after a failure the counters are taken as unreachable until one probe succeeds (probes at most
 * every {@link #PROBE_INTERVAL}), and requests meanwhile get the failure mode at once instead of waiting.
 */
public final class GlobalLimit {
  private static final Logger log = LoggerFactory.getLogger(GlobalLimit.class);

  /** The longest a request waits for a lease: far below any route timeout worth having. */
  public static final Duration DEADLINE = Duration.ofMillis(500);
  /**
   * How long the stage waits for a lease: a little past the lease's own deadline, so that the lease's failure,
   * not a second pass of the stage, normally ends the wait; the slack bounds it should a counter client not keep
   * its deadline.
   */
  static final Duration WAIT = DEADLINE.plusMillis(50);
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
  static final long MAX_BATCH = 1000;
  static final long NEW_WINDOW_SLACK_NANOS = 50_000_000L;
  private static final int STRIPES = 16;

  private final String namespace;
  private final String policy;
  private final GlobalCounters counters;
  private final long batch;
  private final long lowWater;
  private final LongSupplier nanoClock;
  private final Stripe[] stripes = new Stripe[STRIPES];
  private volatile long unreachableSince = -1;
  private volatile long probeAfter;

  final LongAdder admitted = new LongAdder();
  final LongAdder limited = new LongAdder();
  final LongAdder shadowLimited = new LongAdder();
  final LongAdder failedOpen = new LongAdder();
  final LongAdder failedClosed = new LongAdder();
  final LongAdder leases = new LongAdder();
  final LongAdder leaseFailures = new LongAdder();
  final LongAdder evictions = new LongAdder();

  /**
   * @param quota the window's quota, which sizes the leases (the counters hold the authoritative one)
   * @param maxCallers caller keys held at most
   */
  public GlobalLimit(String namespace, String policy, GlobalCounters counters, long quota, int maxCallers,
      LongSupplier nanoClock) {
    this.namespace = namespace;
    this.policy = policy;
    this.counters = counters;
    this.batch = Math.max(1, Math.min(MAX_BATCH, quota / 10));
    this.lowWater = batch / 2;
    this.nanoClock = nanoClock;
    int perStripe = Math.max(1, maxCallers / STRIPES);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe(perStripe);
    }
  }

  /** The share of {@code key} (a caller key value; {@link CallerKey#NONE} for a shared budget). */
  GlobalBudget budget(Object key, long now) {
    int h = key.hashCode();
    Stripe stripe = stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
    synchronized (stripe) {
      GlobalBudget b = stripe.get(key);
      if (b == null) {
        b = new GlobalBudget(this, text(key), now);
        stripe.put(key, b);
      }
      return b;
    }
  }

  /** The key as the counters know it: the same on every instance. */
  private static String text(Object key) {
    return key instanceof InetAddress a ? a.getHostAddress() : key.toString();
  }

  /** Whether the last lease failed and none has succeeded since. */
  boolean unreachable() {
    return unreachableSince >= 0;
  }

  /** Whether, within an outage, a probe lease may go out now. */
  boolean mayProbe(long now) {
    return now - probeAfter >= 0;
  }

  void failed(long now, Throwable cause) {
    leaseFailures.increment();
    probeAfter = now + PROBE_INTERVAL.toNanos();
    if (unreachableSince < 0) {
      unreachableSince = now;
      Throwable c = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
      String why = c instanceof TimeoutException ? "no answer within " + DEADLINE.toMillis()
          + " ms" : c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
      log.warn("RateLimitPolicy {}/{}: counters at {} cannot be reached ({}); its failure mode applies until they"
          + " answer", namespace, policy, counters.describe(), why);
    }
  }

  void answered() {
    long since = unreachableSince;
    if (since >= 0) {
      unreachableSince = -1;
      log.info("RateLimitPolicy {}/{}: counters at {} answer again after {} ms", namespace, policy,
          counters.describe(), (nanoClock.getAsLong() - since) / 1_000_000);
    }
  }

  String namespace() {
    return namespace;
  }

  String policy() {
    return policy;
  }

  GlobalCounters counters() {
    return counters;
  }

  long batch() {
    return batch;
  }

  long lowWater() {
    return lowWater;
  }

  LongSupplier nanoClock() {
    return nanoClock;
  }

  /** Requests the policy let through on leased tokens. */
  public long admitted() {
    return admitted.sum();
  }

  /** Requests refused because the window's quota was spent. */
  public long limited() {
    return limited.sum();
  }

  /** Requests over the quota that went on because the policy is a dry run. */
  public long shadowLimited() {
    return shadowLimited.sum();
  }

  /** Requests let through while the counters could not be reached (failureMode ALLOW). */
  public long failedOpen() {
    return failedOpen.sum();
  }

  /** Requests refused while the counters could not be reached (failureMode DENY). */
  public long failedClosed() {
    return failedClosed.sum();
  }

  /** Leases asked for. */
  public long leases() {
    return leases.sum();
  }

  /** Leases that failed or timed out. */
  public long leaseFailures() {
    return leaseFailures.sum();
  }

  /** Caller shares dropped to stay within the bound. */
  public long evictions() {
    return evictions.sum();
  }

  private final class Stripe extends LinkedHashMap<Object, GlobalBudget> {
    private final int max;

    Stripe(int max) {
      super(16, 0.75f, true);
      this.max = max;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<Object, GlobalBudget> eldest) {
      if (size() > max) {
        evictions.increment();
        return true;
      }
      return false;
    }
  }
}
