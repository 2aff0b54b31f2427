package io.meshwork.proxy.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Slots, the pending queue, overflow and retry slots, without an event loop. */
class CircuitBreakerTest {
  private final List<Runnable> queued = new ArrayList<>();
  private final Executor loop = queued::add;

  private static CircuitBreaker breaker(int connections, int pending, int requests, int retries) {
    return new CircuitBreaker(new ConnectionLimits(connections, pending, requests, retries, Duration.ofSeconds(1)));
  }

  @Test
  void aFullClusterQueuesUpToItsPendingLimitThenOverflows() {
    CircuitBreaker b = breaker(1, 1, ConnectionLimits.UNLIMITED, ConnectionLimits.UNLIMITED);
    AtomicInteger granted = new AtomicInteger();
    assertThat(b.admit(false, loop, granted::incrementAndGet)).isInstanceOf(CircuitBreaker.Admitted.class);
    assertThat(b.admit(false, loop, granted::incrementAndGet)).isInstanceOf(CircuitBreaker.Waiter.class);
    assertThat(b.admit(false, loop, granted::incrementAndGet)).isInstanceOf(CircuitBreaker.Overflow.class);
    assertThat(b.overflows()).isEqualTo(1);
    assertThat(b.pending()).isEqualTo(1);

    b.release(false);
    assertThat(queued).hasSize(1);
    queued.remove(0).run();
    assertThat(granted.get()).isEqualTo(1);
    assertThat(b.active()).isEqualTo(1);
    assertThat(b.pending()).isZero();
    b.release(false);
    assertThat(b.active()).isZero();
  }

  @Test
  void aCancelledWaiterGivesUpItsPlaceAndGetsNoSlot() {
    CircuitBreaker b = breaker(1, 1, ConnectionLimits.UNLIMITED, ConnectionLimits.UNLIMITED);
    b.admit(false, loop, () -> {});
    CircuitBreaker.Waiter w = (CircuitBreaker.Waiter) b.admit(false, loop, () -> {});
    assertThat(w.cancel()).isTrue();
    assertThat(b.pending()).isZero();
    b.release(false);
    assertThat(queued).isEmpty();
    assertThat(b.active()).isZero();
  }

  @Test
  void http2RequestsShareConnectionsAndCountAgainstMaxRequests() {
    CircuitBreaker b = breaker(1, 1, 3, ConnectionLimits.UNLIMITED);
    for (int i = 0; i < 3; i++) {
      assertThat(b.admit(true, loop, () -> {})).isInstanceOf(CircuitBreaker.Admitted.class);
    }
    assertThat(b.admit(true, loop, () -> {})).isInstanceOf(CircuitBreaker.Waiter.class);
  }

  @Test
  void retriesBeyondMaxRetriesAreRefused() {
    CircuitBreaker b = breaker(ConnectionLimits.UNLIMITED, ConnectionLimits.UNLIMITED, ConnectionLimits.UNLIMITED, 1);
    assertThat(b.tryRetry()).isTrue();
    assertThat(b.tryRetry()).isFalse();
    assertThat(b.retryOverflows()).isEqualTo(1);
    b.retryDone();
    assertThat(b.tryRetry()).isTrue();
  }

  @Test
  void anUnlimitedBreakerCountsNothing() {
    CircuitBreaker b = CircuitBreaker.unlimited();
    for (int i = 0; i < 1000; i++) {
      assertThat(b.admit(false, loop, () -> {})).isInstanceOf(CircuitBreaker.Admitted.class);
    }
    assertThat(b.active()).isZero();
  }

  @Test
  void theLimitHoldsAcrossThreads() throws Exception {
    CircuitBreaker b = breaker(2, 1000, ConnectionLimits.UNLIMITED, ConnectionLimits.UNLIMITED);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    int threads = 4;
    int perThread = 2000;
    CountDownLatch done = new CountDownLatch(threads * perThread);
    Runnable work = () -> {
      most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      inFlight.decrementAndGet();
      b.release(false);
      done.countDown();
    };
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          CircuitBreaker.Admission a = b.admit(false, Runnable::run, work);
          if (a instanceof CircuitBreaker.Admitted) {
            work.run();
          } else if (a instanceof CircuitBreaker.Overflow) {
            done.countDown();
          }
        }
      });
      started.add(th);
      th.start();
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    for (Thread th : started) {
      th.join();
    }
    assertThat(most.get()).isLessThanOrEqualTo(2);
    assertThat(b.active()).isZero();
    assertThat(b.pending()).isZero();
  }
}
