package io.meshwork.control.store;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch: a bounded queue filled by the store's writer and drained by a virtual thread of its own, so a slow
 * listener delays nobody but itself and events reach it in the order they were queued.
 */
final class Watcher implements Watch {

    private static final Logger log = LoggerFactory.getLogger(Watcher.class);

    private sealed interface Item {
    }

    private record Event(WatchEvent event) implements Item {
    }

    private record Progress(long revision) implements Item {
    }

    private record Failure(StoreException error) implements Item {
    }

    private final KeyRange range;
    private final long fromRevision;
    private final WatchListener listener;
    private final WatchHub hub;
    private final int limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private boolean ended;
    private volatile boolean closed;
    private volatile long lastDeliveredRevision;

    Watcher(KeyRange range, long fromRevision, WatchListener listener, WatchHub hub, List<WatchEvent> backlog,
            int liveLimit) {
        this.range = range;
        this.fromRevision = fromRevision;
        this.listener = listener;
        this.hub = hub;
        this.lastDeliveredRevision = fromRevision;
        // The backlog is bounded by history; the limit guards against a listener that stops reading live events.
        this.limit = backlog.size() + liveLimit;
        backlog.forEach(e -> queue.add(new Event(e)));
    }

    void start(String name) {
        Thread.ofVirtual().name(name).start(this::run);
    }

    long fromRevision() {
        return fromRevision;
    }

    /** Queues the events of one committed transaction that fall under this watch. Called under the writer lock. */
    void offer(List<WatchEvent> events) {
        lock.lock();
        try {
            if (ended) {
                return;
            }
            for (WatchEvent e : events) {
                if (e.revision() > fromRevision && range.contains(e.kv().key())) {
                    queue.add(new Event(e));
                }
            }
            if (queue.size() > limit) {
                queue.clear();
                endLocked(new WatchOverflowException(limit, lastDeliveredRevision));
            }
            ready.signal();
        } finally {
            lock.unlock();
        }
    }

    void offerProgress(long revision) {
        enqueue(new Progress(Math.max(revision, fromRevision)));
    }

    void fail(StoreException error) {
        lock.lock();
        try {
            if (!ended) {
                endLocked(error);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void requestProgress() {
        hub.requestProgress(this);
    }

    @Override
    public void close() {
        closed = true;
        hub.remove(this);
        lock.lock();
        try {
            ended = true;
            queue.clear();
            ready.signal();
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(Item item) {
        lock.lock();
        try {
            if (!ended) {
                queue.add(item);
                ready.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void endLocked(StoreException error) {
        queue.add(new Failure(error));
        ended = true;
        hub.remove(this);
        ready.signal();
    }

    private void run() {
        while (true) {
            Item item;
            lock.lock();
            try {
                while (queue.isEmpty()) {
                    if (ended) {
                        return;
                    }
                    ready.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                item = queue.poll();
            } finally {
                lock.unlock();
            }
            if (!deliver(item)) {
                return;
            }
        }
    }

    /** Hands one item to the listener; false once the watch is over. */
    private boolean deliver(Item item) {
        try {
            switch (item) {
                case Event(WatchEvent event) -> {
                    listener.onEvent(event);
                    lastDeliveredRevision = event.revision();
                }
                case Progress(long revision) -> listener.onProgress(revision);
                case Failure(StoreException error) -> {
                    listener.onError(error);
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            // A listener that throws cannot be trusted with later events in order; end its watch.
            log.warn("watch listener failed; cancelling the watch", e);
            close();
            return false;
        }
    }
}
