package io.meshwork.control.store;

/** A running watch; closing it stops delivery (events already queued are dropped). */
public interface Watch extends AutoCloseable {

    /** Asks for an {@link WatchListener#onProgress} call, queued behind every event already committed. */
    void requestProgress();

    @Override
    void close();
}
