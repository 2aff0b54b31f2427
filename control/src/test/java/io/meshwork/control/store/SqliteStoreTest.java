package io.meshwork.control.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private SqliteStore store;

    private SqliteStore open() {
        store = SqliteStore.open(dir.resolve("meshwork.db"), clock, Duration.ofHours(1));
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theDatabaseAndTheFilesSqliteCreatesBesideItAreOwnerOnly() throws Exception {
        // SQLite's unix VFS copies the main file's mode to -wal and -shm; the umask here (022) would give 0644.
        store = SqliteStore.open(dir.resolve("new/meshwork.db"), clock, Duration.ofHours(1));
        store.put("/secret", bytes("root key"), KeyValue.NO_LEASE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new"))))
                .isEqualTo("rwx------");
        for (String name : List.of("meshwork.db", "meshwork.db-wal", "meshwork.db-shm")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new").resolve(name))))
                    .as(name).isEqualTo("rw-------");
        }
    }

    @Test
    void everyWriteTransactionAdvancesTheRevisionByOne() {
        KeyValueStore s = open();
        assertThat(s.currentRevision()).isZero();

        assertThat(s.put("/a", "1")).isEqualTo(1);
        assertThat(s.put("/b", "1")).isEqualTo(2);
        assertThat(s.put("/a", "2")).isEqualTo(3);

        KeyValue a = s.get("/a").orElseThrow();
        assertThat(a.valueAsString()).isEqualTo("2");
        assertThat(a.createRevision()).isEqualTo(1);
        assertThat(a.modRevision()).isEqualTo(3);
        assertThat(a.version()).isEqualTo(2);

        // Several ops in one transaction share one revision.
        TxnResult multi = s.txn(List.of(), List.of(Op.put("/c", "1"), Op.put("/d", "1"), Op.delete("/b")), List.of());
        assertThat(multi.revision()).isEqualTo(4);
        assertThat(s.get("/c").orElseThrow().modRevision()).isEqualTo(4);
        assertThat(s.get("/d").orElseThrow().modRevision()).isEqualTo(4);
        assertThat(s.get("/b")).isEmpty();

        // A transaction that changes nothing does not create a revision.
        assertThat(s.delete("/missing")).isFalse();
        assertThat(s.currentRevision()).isEqualTo(4);

        // Re-creating a deleted key starts a new life: new createRevision, version 1.
        s.put("/b", "again");
        KeyValue b = s.get("/b").orElseThrow();
        assertThat(b.createRevision()).isEqualTo(5);
        assertThat(b.version()).isEqualTo(1);
    }

    @Test
    void rangeReturnsKeysUnderThePrefixInOrderWithTheReadRevision() {
        KeyValueStore s = open();
        s.put("/registry/x/b", "b");
        s.put("/registry/x/a", "a");
        s.put("/registry/xy/c", "c");
        s.put("/registry/y/d", "d");

        RangeResult r = s.range("/registry/x/");
        assertThat(r.kvs()).extracting(KeyValue::key).containsExactly("/registry/x/a", "/registry/x/b");
        assertThat(r.revision()).isEqualTo(4);
        assertThat(s.range("").kvs()).hasSize(4);
    }

    @Test
    void compareAndSetDetectsConflicts() {
        KeyValueStore s = open();
        TxnResult created = s.putIfModRevision("/k", bytes("v1"), KeyValue.NO_LEASE, 0);
        assertThat(created.succeeded()).isTrue();
        assertThat(created.previous()).containsExactly((KeyValue) null);

        assertThat(s.putIfModRevision("/k", bytes("dup"), KeyValue.NO_LEASE, 0).succeeded())
                .as("create of an existing key").isFalse();

        long rev = created.revision();
        TxnResult replaced = s.putIfModRevision("/k", bytes("v2"), KeyValue.NO_LEASE, rev);
        assertThat(replaced.succeeded()).isTrue();
        assertThat(replaced.previous().get(0).valueAsString()).isEqualTo("v1");

        TxnResult stale = s.putIfModRevision("/k", bytes("v3"), KeyValue.NO_LEASE, rev);
        assertThat(stale.succeeded()).isFalse();
        assertThat(stale.revision()).isEqualTo(replaced.revision());
        assertThat(s.get("/k").orElseThrow().valueAsString()).isEqualTo("v2");

        assertThat(s.deleteIfModRevision("/k", rev).succeeded()).isFalse();
        assertThat(s.deleteIfModRevision("/k", replaced.revision()).succeeded()).isTrue();
        assertThat(s.get("/k")).isEmpty();
    }

    @Test
    void failedCompareRunsTheFailureBranch() {
        KeyValueStore s = open();
        s.put("/k", "v");
        TxnResult r = s.txn(List.of(new Compare.Version("/k", 7)), List.of(Op.put("/k", "never")),
                List.of(Op.put("/conflicts", "1")));
        assertThat(r.succeeded()).isFalse();
        assertThat(s.get("/k").orElseThrow().valueAsString()).isEqualTo("v");
        assertThat(s.get("/conflicts")).isPresent();
    }

    @Test
    void rejectsOneKeyTwiceInATransaction() {
        KeyValueStore s = open();
        assertThatThrownBy(() -> s.txn(List.of(), List.of(Op.put("/k", "1"), Op.delete("/k")), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ops: key /k twice");
        assertThat(s.currentRevision()).isZero();
    }

    @Test
    void restartKeepsDataRevisionsAndCompaction() {
        KeyValueStore s = open();
        s.put("/a", "1");
        s.put("/a", "2");
        s.put("/b", "1");
        s.delete("/b");
        s.compact(2);
        store.close();

        KeyValueStore reopened = open();
        assertThat(reopened.currentRevision()).isEqualTo(4);
        assertThat(reopened.compactRevision()).isEqualTo(2);
        KeyValue a = reopened.get("/a").orElseThrow();
        assertThat(a.valueAsString()).isEqualTo("2");
        assertThat(a.createRevision()).isEqualTo(1);
        assertThat(a.version()).isEqualTo(2);
        assertThat(reopened.get("/b")).isEmpty();
        assertThat(reopened.put("/c", "1")).isEqualTo(5);
    }

    @Test
    void concurrentCompareAndSetWritersNeverLoseAnUpdate() throws Exception {
        KeyValueStore s = open();
        s.put("/counter", "0");
        int writers = 4;
        int incrementsEach = 25;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Integer>> conflicts = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                Callable<Integer> task = () -> {
                    int lost = 0;
                    for (int i = 0; i < incrementsEach; ) {
                        KeyValue cur = s.get("/counter").orElseThrow();
                        int next = Integer.parseInt(cur.valueAsString()) + 1;
                        if (s.putIfModRevision("/counter", bytes(Integer.toString(next)), KeyValue.NO_LEASE,
                                cur.modRevision()).succeeded()) {
                            i++;
                        } else {
                            lost++;
                        }
                    }
                    return lost;
                };
                conflicts.add(pool.submit(task));
            }
            for (Future<Integer> f : conflicts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        KeyValue counter = s.get("/counter").orElseThrow();
        assertThat(counter.valueAsString()).isEqualTo(Integer.toString(writers * incrementsEach));
        assertThat(counter.version()).isEqualTo(1 + writers * incrementsEach);
        assertThat(s.currentRevision()).isEqualTo(1 + writers * incrementsEach);
    }

    @Test
    void compactRejectsTheFuture() {
        KeyValueStore s = open();
        s.put("/a", "1");
        assertThatThrownBy(() -> s.compact(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("revision: 5 (expected: <= current revision 1)");
    }

    @Test
    void closedStoreRefusesWork() {
        KeyValueStore s = open();
        s.close();
        assertThatThrownBy(() -> s.get("/a")).isInstanceOf(StoreClosedException.class);
    }
}
