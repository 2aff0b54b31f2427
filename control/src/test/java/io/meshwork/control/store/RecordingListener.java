package io.meshwork.control.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Collects what a watch delivers, so a test can wait for a number of events and then assert on them. */
final class RecordingListener implements WatchListener {

    final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    final List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void onEvent(WatchEvent event) {
        threads.add(Thread.currentThread().getName());
        received.add(event);
    }

    @Override
    public void onProgress(long revision) {
        received.add(revision);
    }

    @Override
    public void onError(StoreException error) {
        received.add(error);
    }

    /** The next {@code n} deliveries; fails if they do not arrive within a few seconds. */
    List<Object> take(int n) throws InterruptedException {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Object o = received.poll(5, TimeUnit.SECONDS);
            if (o == null) {
                throw new AssertionError("expected " + n + " deliveries, got " + out);
            }
            out.add(o);
        }
        return out;
    }

    List<WatchEvent> takeEvents(int n) throws InterruptedException {
        return take(n).stream().map(WatchEvent.class::cast).toList();
    }
}
