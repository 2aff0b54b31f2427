package io.meshwork.proxy.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofMillis(25), Duration.ofMillis(250));

  @Test
  void ceilingDoublesUpToTheCap() {
    assertThat(backoff.ceilingNanos(1)).isEqualTo(Duration.ofMillis(25).toNanos());
    assertThat(backoff.ceilingNanos(2)).isEqualTo(Duration.ofMillis(50).toNanos());
    assertThat(backoff.ceilingNanos(4)).isEqualTo(Duration.ofMillis(200).toNanos());
    assertThat(backoff.ceilingNanos(5)).isEqualTo(Duration.ofMillis(250).toNanos());
    assertThat(backoff.ceilingNanos(100)).isEqualTo(Duration.ofMillis(250).toNanos());
  }

  @Test
  void fullJitterSpansZeroToTheCeiling() {
    assertThat(backoff.delayNanos(3, 0.0)).isZero();
    assertThat(backoff.delayNanos(3, 0.5)).isEqualTo(Duration.ofMillis(50).toNanos());
    assertThat(backoff.delayNanos(3, 0.999999)).isLessThan(Duration.ofMillis(100).toNanos());
  }

  @Test
  void policyDefaultsApply() {
    RetryPolicy policy = new RetryPolicy(2, Duration.ZERO, Set.of(), Set.of(), Duration.ZERO, Duration.ZERO);
    Backoff b = Backoff.of(policy);
    assertThat(b.base()).isEqualTo(RetryPolicy.DEFAULT_BASE_INTERVAL);
    assertThat(b.max()).isEqualTo(RetryPolicy.DEFAULT_BASE_INTERVAL.multipliedBy(10));
  }

  @Test
  void invalidIntervalsAreRejected() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofMillis(1)))
        .hasMessage("base: PT0S (expected: > 0)");
    assertThatThrownBy(() -> new Backoff(Duration.ofMillis(10), Duration.ofMillis(1)))
        .hasMessage("max: PT0.001S (expected: >= base PT0.01S)");
  }
}
