package io.meshwork.proxy.admission;

import io.meshwork.proxy.retry.RetryBudget;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One cluster's circuit breaker: counts the requests in flight, the requests waiting for a slot
 * and the retries outstanding, across every event loop, with compare-and-set loops (no lock, no
 * hand-off unless a waiter is granted a slot, which then resumes on its own event loop). A
 * snapshot builds its clusters anew and so its breakers, as Envoy does on a cluster update.
 */
public final class CircuitBreaker {
  private final ConnectionLimits limits;
  /** Bounds retries by a share of the requests in flight instead of maxRetries; null for none. */
  private final RetryBudget retryBudget;
  /** No limit set: nothing is counted, so an unconfigured cluster shares no counter between loops. */
  private final boolean unlimited;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger retries = new AtomicInteger();
  private final AtomicLong overflows = new AtomicLong();
  private final AtomicLong retryOverflows = new AtomicLong();
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

  public CircuitBreaker(ConnectionLimits limits) {
    this(limits, null);
  }

  /** A breaker whose retries are bounded by {@code retryBudget} (when not null) rather than {@code maxRetries}. */
  public CircuitBreaker(ConnectionLimits limits, RetryBudget retryBudget) {
    this.limits = limits;
    this.retryBudget = retryBudget;
    // A budget is a share of the requests in flight: they are counted then.
    this.unlimited = limits.unlimited() && retryBudget == null;
  }

  public static CircuitBreaker unlimited() {
    return new CircuitBreaker(ConnectionLimits.NONE);
  }

  public ConnectionLimits limits() {
    return limits;
  }

  /** What {@link #admit} decided. */
  public sealed interface Admission {}

  /** A slot is taken: release it with {@link #release} when the attempt ends. */
  public record Admitted() implements Admission {}

  /** All slots are taken and so is the queue: answer 503 at once (flag UO). */
  public record Overflow() implements Admission {}

  private static final Admitted ADMITTED = new Admitted();
  private static final Overflow OVERFLOW = new Overflow();

  /**
   * A request waiting for a slot. {@code onGranted} runs on the waiter's executor once it holds a
   * slot; {@link #cancel} gives up the place (a timeout, a caller that went away).
   */
  public static final class Waiter implements Admission {
    private static final int WAITING = 0;
    private static final int GRANTED = 1;
    private static final int CANCELLED = 2;
    private final AtomicInteger state = new AtomicInteger();
    private final CircuitBreaker breaker;
    private final Executor executor;
    private final Runnable onGranted;

    private Waiter(CircuitBreaker breaker, Executor executor, Runnable onGranted) {
      this.breaker = breaker;
      this.executor = executor;
      this.onGranted = onGranted;
    }

    private boolean grant() {
      if (!state.compareAndSet(WAITING, GRANTED)) {
        return false;
      }
      breaker.pending.decrementAndGet();
      executor.execute(onGranted);
      return true;
    }

    /** Gives up waiting; false when a slot was already granted (then {@code onGranted} runs and owns it). */
    public boolean cancel() {
      if (!state.compareAndSet(WAITING, CANCELLED)) {
        return false;
      }
      breaker.pending.decrementAndGet();
      breaker.waiters.remove(this);
      return true;
    }
  }

  /**
   * Takes a request slot, queues for one, or overflows.
   *
   * @param http2 whether the attempt goes over HTTP/2 (its requests share connections)
   * @param executor the requester's event loop, where {@code onGranted} runs when it waited
   */
  public Admission admit(boolean http2, Executor executor, Runnable onGranted) {
    if (unlimited) {
      return ADMITTED;
    }
    if (tryTake(active, limits.requestSlots(http2))) {
      return ADMITTED;
    }
    if (!tryTake(pending, limits.maxPendingRequests())) {
      overflows.incrementAndGet();
      return OVERFLOW;
    }
    Waiter w = new Waiter(this, executor, onGranted);
    waiters.add(w);
    // A slot freed between the first try and the enqueue would otherwise be missed.
    drain(limits.requestSlots(http2));
    return w;
  }

  /** Ends an admitted request: its slot goes to the first waiter, or back to the pool. */
  public void release(boolean http2) {
    if (unlimited) {
      return;
    }
    active.decrementAndGet();
    drain(limits.requestSlots(http2));
  }

  private void drain(int slots) {
    while (!waiters.isEmpty() && tryTake(active, slots)) {
      Waiter w;
      boolean given = false;
      while ((w = waiters.poll()) != null) {
        if (w.grant()) {
          given = true;
          break;
        }
      }
      if (!given) {
        active.decrementAndGet();
      }
    }
  }

  /** Takes a retry slot (Istio {@code maxRetries}, or the retry budget); false counts a retry overflow. */
  public boolean tryRetry() {
    if (!countsRetries()) {
      return true;
    }
    int max = retryBudget != null ? retryBudget.allowedRetries(active.get() + pending.get()) : limits.maxRetries();
    if (tryTake(retries, max)) {
      return true;
    }
    retryOverflows.incrementAndGet();
    return false;
  }

  public void retryDone() {
    if (countsRetries()) {
      retries.decrementAndGet();
    }
  }

  private boolean countsRetries() {
    return retryBudget != null || limits.maxRetries() != ConnectionLimits.UNLIMITED;
  }

  private static boolean tryTake(AtomicInteger counter, int max) {
    for (;;) {
      int n = counter.get();
      if (n >= max) {
        return false;
      }
      if (counter.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Requests in flight now. */
  public int active() {
    return active.get();
  }

  /** Requests waiting for a slot now. */
  public int pending() {
    return pending.get();
  }

  /** Requests refused with 503 (flag UO) since the breaker was built. */
  public long overflows() {
    return overflows.get();
  }

  /** Retries not made because {@code maxRetries} (or the retry budget's share) were outstanding. */
  public long retryOverflows() {
    return retryOverflows.get();
  }
}
