package io.meshwork.control.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The live watches of a store. The writer publishes each committed transaction while still holding its lock, so
 * every watcher's queue receives transactions in commit order and a watch registered under that lock sees each
 * revision exactly once: from history if it committed before registration, live otherwise.
 */
final class WatchHub {

    /** Undelivered live events a watcher may accumulate before it is cancelled. */
    static final int DEFAULT_LIVE_LIMIT = 10_000;

    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final ReentrantLock writerLock;
    private final LongSupplier currentRevision;
    private final int liveLimit;

    WatchHub(ReentrantLock writerLock, LongSupplier currentRevision, int liveLimit) {
        this.writerLock = writerLock;
        this.currentRevision = currentRevision;
        this.liveLimit = liveLimit;
    }

    /** Registers a watcher whose history is {@code backlog}; the caller holds the writer lock. */
    Watcher register(KeyRange range, long fromRevision, WatchListener listener, List<WatchEvent> backlog) {
        Watcher watcher = new Watcher(range, fromRevision, listener, this, backlog, liveLimit);
        watchers.add(watcher);
        watcher.start("meshwork-watch-" + ids.incrementAndGet());
        return watcher;
    }

    /** Hands one transaction's events to every watcher; the caller holds the writer lock. */
    void publish(List<WatchEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        for (Watcher w : watchers) {
            w.offer(events);
        }
    }

    void requestProgress(Watcher watcher) {
        writerLock.lock();
        try {
            watcher.offerProgress(currentRevision.getAsLong());
        } finally {
            writerLock.unlock();
        }
    }

    void remove(Watcher watcher) {
        watchers.remove(watcher);
    }

    void failAll(StoreException error) {
        for (Watcher w : watchers) {
            w.fail(error);
        }
        watchers.clear();
    }

    int size() {
        return watchers.size();
    }
}
