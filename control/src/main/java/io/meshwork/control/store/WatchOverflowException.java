package io.meshwork.control.store;

/** A watcher fell too far behind and was cancelled; it should resume from the last revision it processed. */
public final class WatchOverflowException extends StoreException {

    private final long lastDeliveredRevision;

    public WatchOverflowException(int limit, long lastDeliveredRevision) {
        super("watch cancelled: more than " + limit + " undelivered events; resume from revision "
                + lastDeliveredRevision, null);
        this.lastDeliveredRevision = lastDeliveredRevision;
    }

    public long lastDeliveredRevision() {
        return lastDeliveredRevision;
    }
}
