package io.meshwork.control.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
    private SqliteStore store;

    private SqliteStore open() {
        store = SqliteStore.open(dir.resolve("meshwork.db"), clock, Duration.ofHours(1));
        return store;
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void expiredLeaseDeletesItsKeysInOneRevision() throws Exception {
        SqliteStore s = open();
        Lease lease = s.grant(10);
        s.put("/we/a", bytes("a"), lease.id());
        s.put("/we/b", bytes("b"), lease.id());
        s.put("/we/kept", "c");
        RecordingListener l = new RecordingListener();
        Watch w = s.watch("/we/", s.currentRevision(), l);

        clock.advance(Duration.ofSeconds(9));
        assertThat(s.expireLeases()).isEmpty();
        Lease renewed = s.keepAlive(lease.id());
        assertThat(renewed.deadline()).isEqualTo(clock.instant().plusSeconds(10));

        clock.advance(Duration.ofSeconds(9));
        assertThat(s.expireLeases()).isEmpty();
        assertThat(s.get("/we/a")).isPresent();

        clock.advance(Duration.ofSeconds(1));
        assertThat(s.expireLeases()).containsExactly(lease.id());
        assertThat(s.range("/we/").kvs()).extracting(KeyValue::key).containsExactly("/we/kept");
        assertThat(s.currentRevision()).isEqualTo(4);

        List<WatchEvent> events = l.takeEvents(2);
        assertThat(events).allMatch(e -> e.type() == WatchEvent.Type.DELETE && e.revision() == 4);
        assertThat(s.lease(lease.id())).isEmpty();
        assertThatThrownBy(() -> s.keepAlive(lease.id())).isInstanceOf(LeaseNotFoundException.class);
        w.close();
    }

    @Test
    void revokeDeletesKeysAtOnce() {
        SqliteStore s = open();
        Lease lease = s.grant(60);
        s.put("/l/a", bytes("a"), lease.id());
        assertThat(s.revoke(lease.id())).isEqualTo(1);
        assertThat(s.get("/l/a")).isEmpty();
        assertThatThrownBy(() -> s.revoke(lease.id())).isInstanceOf(LeaseNotFoundException.class);
    }

    @Test
    void revokingAnEmptyLeaseWritesNoRevision() {
        SqliteStore s = open();
        Lease lease = s.grant(60);
        assertThat(s.revoke(lease.id())).isZero();
        assertThat(s.currentRevision()).isZero();
    }

    @Test
    void putWithAnUnknownOrExpiredLeaseWritesNothing() {
        SqliteStore s = open();
        assertThatThrownBy(() -> s.put("/x", bytes("1"), 42))
                .isInstanceOf(LeaseNotFoundException.class)
                .hasMessage("lease: 42 (expected: a granted, unexpired lease)");
        Lease lease = s.grant(1);
        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> s.put("/x", bytes("1"), lease.id())).isInstanceOf(LeaseNotFoundException.class);
        assertThat(s.currentRevision()).isZero();
    }

    @Test
    void rejectsANonPositiveTtl() {
        SqliteStore s = open();
        assertThatThrownBy(() -> s.grant(0)).hasMessage("ttlSeconds: 0 (expected: >= 1)");
    }

    @Test
    void leasesKeepTheirDeadlineAcrossARestartAndExpireAtStart() {
        SqliteStore s = open();
        Lease shortLived = s.grant(5);
        Lease longLived = s.grant(500);
        s.put("/a", bytes("1"), shortLived.id());
        s.put("/b", bytes("1"), longLived.id());
        s.close();

        clock.advance(Duration.ofSeconds(6));
        SqliteStore reopened = open();
        assertThat(reopened.get("/a")).isEmpty();
        assertThat(reopened.get("/b")).isPresent();
        assertThat(reopened.lease(longLived.id())).contains(longLived);
        assertThat(reopened.currentRevision()).isEqualTo(3);
    }

    @Test
    void theTimerExpiresLeasesWithoutBeingAsked() throws Exception {
        store = SqliteStore.open(dir.resolve("timer.db"), clock, Duration.ofMillis(10));
        Lease lease = store.grant(1);
        store.put("/t", bytes("1"), lease.id());
        RecordingListener l = new RecordingListener();
        store.watch("/t", store.currentRevision(), l);
        clock.advance(Duration.ofSeconds(1));
        assertThat(l.takeEvents(1).get(0).type()).isEqualTo(WatchEvent.Type.DELETE);
    }
}
