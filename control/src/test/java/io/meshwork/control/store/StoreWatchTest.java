package io.meshwork.control.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreWatchTest {

    @TempDir
    Path dir;

    private SqliteStore store;

    private SqliteStore open(int liveLimit) {
        store = SqliteStore.open(dir.resolve("meshwork.db"), new MutableClock(Instant.EPOCH), Duration.ofHours(1),
                liveLimit);
        return store;
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Proves nothing else is queued: the progress marker is queued behind everything committed so far. */
    private static void assertNothingMoreThan(Watch watch, RecordingListener l, long revision) throws Exception {
        watch.requestProgress();
        assertThat(l.take(1)).containsExactly(revision);
    }

    @Test
    void watchFromARevisionReplaysLaterHistoryThenLiveEventsInOrder() throws Exception {
        KeyValueStore s = open(1000);
        s.put("/r/a", "1");          // 1
        s.put("/r/b", "1");          // 2
        s.put("/other", "x");        // 3
        s.put("/r/a", "2");          // 4
        s.delete("/r/b");            // 5

        RecordingListener l = new RecordingListener();
        Watch w = s.watch("/r/", 2, l);
        List<WatchEvent> backlog = l.takeEvents(2);
        assertThat(backlog).extracting(WatchEvent::revision).containsExactly(4L, 5L);
        assertThat(backlog.get(0).type()).isEqualTo(WatchEvent.Type.PUT);
        assertThat(backlog.get(0).kv().valueAsString()).isEqualTo("2");
        assertThat(backlog.get(0).isCreate()).isFalse();
        WatchEvent deleted = backlog.get(1);
        assertThat(deleted.type()).isEqualTo(WatchEvent.Type.DELETE);
        assertThat(deleted.kv().key()).isEqualTo("/r/b");
        assertThat(deleted.kv().valueAsString()).as("last value of the deleted key").isEqualTo("1");

        s.put("/other", "y");        // 6, not under the prefix
        s.put("/r/c", "1");          // 7
        List<WatchEvent> live = l.takeEvents(1);
        assertThat(live.get(0).revision()).isEqualTo(7);
        assertThat(live.get(0).isCreate()).isTrue();
        assertThat(l.threads).allMatch(t -> t.startsWith("meshwork-watch-"));
        assertNothingMoreThan(w, l, 7);
        w.close();
    }

    @Test
    void watchStartedDuringWritesSeesEachLaterRevisionExactlyOnce() throws Exception {
        KeyValueStore s = open(100_000);
        int total = 300;
        CountDownLatch halfway = new CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 1; i <= total; i++) {
                s.put("/k/" + (i % 7), Integer.toString(i));
                if (i == total / 2) {
                    halfway.countDown();
                }
            }
        });
        halfway.await();
        long from = s.currentRevision() - 20;
        RecordingListener l = new RecordingListener();
        Watch w = s.watch("/k/", from, l);
        writer.join();

        List<WatchEvent> events = l.takeEvents((int) (total - from));
        assertThat(events).extracting(WatchEvent::revision)
                .containsExactlyElementsOf(LongStream.rangeClosed(from + 1, total).boxed().toList());
        assertNothingMoreThan(w, l, total);
        w.close();
    }

    @Test
    void deletionsOfOneTransactionShareItsRevision() throws Exception {
        KeyValueStore s = open(1000);
        s.put("/p/a", "1");
        s.put("/p/b", "1");
        RecordingListener l = new RecordingListener();
        Watch w = s.watch("/p/", s.currentRevision(), l);
        s.txn(List.of(), List.of(Op.delete("/p/a"), Op.delete("/p/b")), List.of());
        assertThat(l.takeEvents(2)).extracting(WatchEvent::revision, e -> e.kv().key())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(3L, "/p/a"),
                        org.assertj.core.groups.Tuple.tuple(3L, "/p/b"));
        w.close();
    }

    @Test
    void watchFromACompactedRevisionFailsSoTheClientRelists() {
        KeyValueStore s = open(1000);
        for (int i = 0; i < 5; i++) {
            s.put("/c", Integer.toString(i));
        }
        s.compact(3);
        assertThatThrownBy(() -> s.watch("/", 2, new RecordingListener()))
                .isInstanceOfSatisfying(CompactedRevisionException.class, e -> {
                    assertThat(e.requestedRevision()).isEqualTo(2);
                    assertThat(e.compactRevision()).isEqualTo(3);
                })
                .hasMessageContaining("fromRevision: 2 (expected: >= 3");
        // From the compaction point itself nothing is missing.
        s.watch("/", 3, new RecordingListener()).close();
    }

    @Test
    void watchFromTheCompactionPointStillGetsTheRemainingHistory() throws Exception {
        KeyValueStore s = open(1000);
        for (int i = 0; i < 5; i++) {
            s.put("/c", Integer.toString(i));
        }
        s.compact(3);
        RecordingListener l = new RecordingListener();
        Watch w = s.watch("/", 3, l);
        assertThat(l.takeEvents(2)).extracting(WatchEvent::revision).containsExactly(4L, 5L);
        w.close();
    }

    @Test
    void aListenerThatStopsReadingIsCancelledWithoutSlowingTheWriter() throws Exception {
        KeyValueStore s = open(5);
        CountDownLatch release = new CountDownLatch(1);
        RecordingListener errors = new RecordingListener();
        WatchListener stuck = new WatchListener() {
            @Override
            public void onEvent(WatchEvent event) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onError(StoreException error) {
                errors.onError(error);
            }
        };
        s.watch("/", 0, stuck);
        for (int i = 0; i < 20; i++) {
            s.put("/x", Integer.toString(i));
        }
        release.countDown();
        assertThat(errors.take(1).get(0)).isInstanceOf(WatchOverflowException.class);
        assertThat(store.currentRevision()).isEqualTo(20);
    }

    @Test
    void closingTheStoreEndsWatches() throws Exception {
        KeyValueStore s = open(1000);
        RecordingListener l = new RecordingListener();
        s.watch("/", 0, l);
        s.close();
        assertThat(l.take(1).get(0)).isInstanceOf(StoreClosedException.class);
    }

    @Test
    void closedWatchReceivesNothingMore() throws Exception {
        KeyValueStore s = open(1000);
        RecordingListener closed = new RecordingListener();
        RecordingListener open = new RecordingListener();
        s.watch("/", 0, closed).close();
        Watch other = s.watch("/", 0, open);
        s.put("/a", "1");
        assertThat(open.takeEvents(1)).hasSize(1);
        assertNothingMoreThan(other, open, 1);
        assertThat(closed.received).isEmpty();
        other.close();
    }
}
