package io.meshwork.control.store;

/**
 * Receives a watch's events, one at a time and in revision order, on a thread of the store's own (never the
 * writer's). A listener may block: only its own watch waits; if it falls too far behind, the watch ends with
 * {@link WatchOverflowException} and the client resumes from the last revision it saw.
 */
public interface WatchListener {

    void onEvent(WatchEvent event);

    /**
     * Every event up to {@code revision} has been delivered (etcd's progress notification). Sent in answer to
     * {@link Watch#requestProgress()}.
     */
    default void onProgress(long revision) {
    }

    /** The watch ended abnormally; no more calls follow. */
    void onError(StoreException error);
}
