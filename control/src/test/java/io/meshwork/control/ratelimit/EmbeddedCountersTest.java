package io.meshwork.control.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.store.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Fixed windows on a clock the test moves: opened by the first lease, never lending past the quota. */
class EmbeddedCountersTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T10:00:00Z"));
    private final EmbeddedCounters counters = new EmbeddedCounters(clock);

    @Test
    void aWindowLendsItsQuotaOnceInPartsThenNothingUntilItEnds() {
        assertThat(counters.take("shop/orders/", 4, 10, 60_000)).isEqualTo(new RateLimitCounters.Grant(4, 60_000));
        clock.advance(Duration.ofSeconds(15));
        assertThat(counters.take("shop/orders/", 4, 10, 60_000)).isEqualTo(new RateLimitCounters.Grant(4, 45_000));
        // The last lease gets what is left, the next nothing; the window still ends when it began to.
        assertThat(counters.take("shop/orders/", 4, 10, 60_000).granted()).isEqualTo(2);
        assertThat(counters.take("shop/orders/", 4, 10, 60_000)).isEqualTo(new RateLimitCounters.Grant(0, 45_000));
        // Another caller key has a window of its own.
        assertThat(counters.take("shop/orders/tenant-b", 4, 10, 60_000).granted()).isEqualTo(4);

        clock.advance(Duration.ofSeconds(45));
        assertThat(counters.take("shop/orders/", 4, 10, 60_000)).isEqualTo(new RateLimitCounters.Grant(4, 60_000));
    }

    @Test
    void spentWindowsAreDroppedAsNewOnesOpen() {
        for (int i = 0; i < 1000; i++) {
            counters.take("shop/orders/caller-" + i, 1, 10, 1_000);
        }
        clock.advance(Duration.ofSeconds(2));
        for (int i = 0; i < 100; i++) {
            counters.take("shop/orders/late-" + i, 1, 10, 1_000);
        }
        assertThat(counters.windows()).isLessThanOrEqualTo(100);
    }
}
