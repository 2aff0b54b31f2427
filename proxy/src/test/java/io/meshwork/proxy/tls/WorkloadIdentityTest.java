package io.meshwork.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.fixtures.LogCapture;
import io.meshwork.proxy.fixtures.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Renewal timing on a hand-driven clock and scheduler. */
class WorkloadIdentityTest {
  static final SpiffeId ORDERS = TestCa.workload("shop", "orders");

  record Task(Runnable task, Instant due) {}

  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  final List<Task> scheduled = new ArrayList<>();
  TestCa ca;

  @BeforeEach
  void setUp() throws Exception {
    ca = new TestCa("root", clock);
  }

  WorkloadIdentity start(Duration ttl) {
    return WorkloadIdentity.renewing(ca, ORDERS, ttl, clock,
        (task, delay) -> scheduled.add(new Task(task, clock.instant().plus(delay))), () -> { });
  }

  /** The renewal: the latest task, since bundle polls come every 30 s from the start. */
  Task latest() {
    return scheduled.stream().max((a, b) -> a.due().compareTo(b.due())).orElseThrow();
  }

  /** Advances the clock to the renewal and runs it. */
  Task runRenewal() {
    Task next = latest();
    scheduled.remove(next);
    if (next.due().isAfter(clock.instant())) {
      clock.set(next.due());
    }
    next.task().run();
    return next;
  }

  @Test
  void renewsAtHalfLifeAndNotifiesListeners() {
    WorkloadIdentity identity = start(Duration.ofHours(1));
    WorkloadCredentials first = identity.current();
    assertThat(first.id()).isEqualTo(ORDERS);
    assertThat(identity.renewalDue()).isEqualTo(first.notBefore().plus(Duration.ofMinutes(30)));
    List<WorkloadCredentials> seen = new ArrayList<>();
    identity.onChange(seen::add);

    Task renewal = runRenewal();
    assertThat(renewal.due()).isEqualTo(first.notBefore().plus(Duration.ofMinutes(30)));
    assertThat(identity.current()).isNotSameAs(first);
    assertThat(identity.current().key()).isNotEqualTo(first.key());
    assertThat(identity.current().notAfter()).isEqualTo(renewal.due().plus(Duration.ofHours(1)));
    assertThat(seen).containsExactly(identity.current());
    assertThat(ca.issued).hasValue(2);
  }

  @Test
  void failedRenewalRetriesSoonerWhileTheCertificateIsStillValid() {
    WorkloadIdentity identity = start(Duration.ofMinutes(8));
    WorkloadCredentials first = identity.current();
    ca.failing = true;
    runRenewal();
    assertThat(identity.current()).isSameAs(first);
    // 4 minutes left: retried after an eighth of that, capped at 10 s.
    Task retry = latest();
    assertThat(Duration.between(clock.instant(), retry.due())).isEqualTo(Duration.ofSeconds(10));
    ca.failing = false;
    scheduled.remove(retry);
    retry.task().run();
    assertThat(identity.current()).isNotSameAs(first);
  }

  @Test
  void bundleIsPolledWithTheEntityTag() {
    WorkloadIdentity identity = start(Duration.ofHours(24));
    List<WorkloadCredentials> seen = new ArrayList<>();
    identity.onChange(seen::add);
    Task poll = scheduled.stream().filter(t -> t.due().equals(clock.instant().plus(WorkloadIdentity.BUNDLE_POLL)))
        .findFirst().orElseThrow();
    scheduled.remove(poll);
    poll.task().run();
    // The same roots: no change reported, and the next poll is scheduled.
    assertThat(seen).isEmpty();
    assertThat(scheduled).hasSize(2);
  }

  @Test
  void fixedIdentityReadsItsIdFromAValidSvidAndRefusesOthers() throws Exception {
    var keys = TestCa.ecKey();
    var leaf = ca.svid(keys.getPublic(), ORDERS, clock.instant().minusSeconds(5), Instant.now().plus(Duration.ofHours(1)));
    assertThat(WorkloadIdentity.fixed(keys.getPrivate(), List.of(leaf), ca.anchors()).id()).isEqualTo(ORDERS);

    TestCa other = new TestCa("other", clock);
    assertThatThrownBy(() -> WorkloadIdentity.fixed(keys.getPrivate(), List.of(leaf), other.anchors()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UNTRUSTED_ROOT");
  }

  /** A renewing identity whose retries of a missing certificate wait the midpoint of the jitter range. */
  WorkloadIdentity startPending(Duration ttl) {
    return WorkloadIdentity.renewing(ca, () -> ORDERS, ttl, clock,
        (task, delay) -> scheduled.add(new Task(task, clock.instant().plus(delay))), () -> { }, () -> 0.5);
  }

  @Test
  void firstIssuanceFailureLeavesNoIdentityAndRetriesWithExponentialBackoff() {
    ca.failing = true;
    try (LogCapture logs = new LogCapture()) {
      WorkloadIdentity identity = startPending(Duration.ofHours(1));
      assertThat(identity.current()).isNull();
      assertThat(identity.missing()).hasValue(
          "no workload identity: certificate request failed: CA unavailable; retrying in 1s");
      List<WorkloadCredentials> seen = new ArrayList<>();
      identity.onChange(seen::add);

      // 1 s doubling to 30 s, each waiting three quarters of its ceiling (jitter 0.5 in [d/2, d)).
      List<Duration> waits = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        assertThat(scheduled).hasSize(1);
        Task retry = scheduled.removeFirst();
        waits.add(Duration.between(clock.instant(), retry.due()));
        clock.set(retry.due());
        retry.task().run();
      }
      assertThat(waits).containsExactly(Duration.ofMillis(750), Duration.ofMillis(1500), Duration.ofSeconds(3),
          Duration.ofSeconds(6), Duration.ofSeconds(12), Duration.ofMillis(22_500), Duration.ofMillis(22_500));
      assertThat(identity.missing()).hasValueSatisfying(why -> assertThat(why).endsWith("retrying in 23s"));
      assertThat(logs.lines("WARN", "CA unavailable")).as("one warning for the state, not one per retry").hasSize(1);

      ca.failing = false;
      Task retry = scheduled.removeFirst();
      clock.set(retry.due());
      retry.task().run();
      assertThat(identity.current()).isNotNull();
      assertThat(identity.missing()).isEmpty();
      assertThat(seen).containsExactly(identity.current());
      assertThat(identity.id()).isEqualTo(ORDERS);
      assertThat(logs.lines("INFO", "certificate issued after 8 failed attempts")).hasSize(1);
      // Renewal at half-life and the first bundle poll.
      assertThat(scheduled).hasSize(2);
    }
  }

  @Test
  void anUnresolvableSpiffeIdIsRetriedToo() {
    boolean[] reachable = {false};
    WorkloadIdentity identity = WorkloadIdentity.renewing(ca, () -> {
      if (!reachable[0]) {
        throw new java.io.IOException("GET /trustbundle: connection refused");
      }
      return ORDERS;
    }, Duration.ofHours(1), clock, (task, delay) -> scheduled.add(new Task(task, clock.instant().plus(delay))),
        () -> { }, () -> 0);
    assertThat(identity.id()).isNull();
    assertThat(identity.missing()).hasValueSatisfying(why -> assertThat(why).contains("connection refused"));
    reachable[0] = true;
    scheduled.removeFirst().task().run();
    assertThat(identity.id()).isEqualTo(ORDERS);
    assertThat(identity.missing()).isEmpty();
  }

  @Test
  void aCertificateThatExpiresWhileRenewalsFailIsMissing() {
    WorkloadIdentity identity = start(Duration.ofMinutes(8));
    WorkloadCredentials first = identity.current();
    ca.failing = true;
    try (LogCapture logs = new LogCapture()) {
      while (clock.instant().isBefore(first.notAfter())) {
        runRenewal();
        scheduled.removeIf(t -> !t.due().isAfter(clock.instant()));
      }
      assertThat(identity.current()).isSameAs(first);
      assertThat(identity.missing()).hasValueSatisfying(why -> assertThat(why)
          .startsWith("workload certificate expired at " + first.notAfter() + ": renewal failed: CA unavailable"));
      assertThat(logs.lines("WARN", "renewal failed").size()).as("warnings are rate-limited").isLessThanOrEqualTo(10);
    }
    ca.failing = false;
    runRenewal();
    assertThat(identity.missing()).isEmpty();
  }
}
