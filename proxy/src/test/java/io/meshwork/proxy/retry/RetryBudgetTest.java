package io.meshwork.proxy.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.admission.CircuitBreaker;
import io.meshwork.proxy.admission.ConnectionLimits;
import org.junit.jupiter.api.Test;

/** The retry budget alone and inside a cluster's circuit breaker (Envoy's retry_budget semantics). */
class RetryBudgetTest {
  private static final Runnable NEVER = () -> {
    throw new AssertionError("not queued");
  };

  @Test
  void aShareOfTheRequestsInFlightWithAFloor() {
    RetryBudget b = new RetryBudget(20, 3);
    assertThat(b.allowedRetries(0)).isEqualTo(3);
    assertThat(b.allowedRetries(10)).isEqualTo(3);
    assertThat(b.allowedRetries(20)).isEqualTo(4);
    assertThat(b.allowedRetries(100)).isEqualTo(20);
  }

  @Test
  void outOfRangeValuesAreRefusedWithTheirField() {
    assertThatThrownBy(() -> new RetryBudget(101, 3)).hasMessage("retryBudget.percent: 101.0 (expected: 0..100)");
    assertThatThrownBy(() -> new RetryBudget(Double.NaN, 3)).hasMessageContaining("retryBudget.percent");
    assertThatThrownBy(() -> new RetryBudget(20, -1))
        .hasMessage("retryBudget.minRetryConcurrency: -1 (expected: >= 0)");
  }

  @Test
  void theBreakerAllowsRetriesAsTheBudgetGrowsWithTheLoad() {
    CircuitBreaker breaker = new CircuitBreaker(ConnectionLimits.NONE, new RetryBudget(50, 1));
    // Nothing in flight: the floor, one retry.
    assertThat(breaker.tryRetry()).isTrue();
    assertThat(breaker.tryRetry()).isFalse();
    assertThat(breaker.retryOverflows()).isEqualTo(1);
    // Six requests in flight: half of them may be retries, three in all.
    for (int i = 0; i < 6; i++) {
      assertThat(breaker.admit(false, Runnable::run, NEVER)).isInstanceOf(CircuitBreaker.Admitted.class);
    }
    assertThat(breaker.active()).isEqualTo(6);
    assertThat(breaker.tryRetry()).isTrue();
    assertThat(breaker.tryRetry()).isTrue();
    assertThat(breaker.tryRetry()).isFalse();
    // Retries that end give their room back.
    breaker.retryDone();
    assertThat(breaker.tryRetry()).isTrue();
  }

  @Test
  void theBudgetTakesThePlaceOfMaxRetries() {
    ConnectionLimits oneRetry = new ConnectionLimits(ConnectionLimits.UNLIMITED, ConnectionLimits.UNLIMITED,
        ConnectionLimits.UNLIMITED, 1, java.time.Duration.ofSeconds(1));
    CircuitBreaker breaker = new CircuitBreaker(oneRetry, new RetryBudget(0, 2));
    assertThat(breaker.tryRetry()).isTrue();
    assertThat(breaker.tryRetry()).isTrue();
    assertThat(breaker.tryRetry()).isFalse();
  }
}
