package io.meshwork.control.store;

/** A watch asked for history that compaction has dropped; the client must list again and watch from there. */
public final class CompactedRevisionException extends StoreException {

    private final long requestedRevision;
    private final long compactRevision;

    public CompactedRevisionException(long requestedRevision, long compactRevision) {
        super("fromRevision: " + requestedRevision + " (expected: >= " + compactRevision
                + "; older history is compacted, list again and watch from the list's revision)", null);
        this.requestedRevision = requestedRevision;
        this.compactRevision = compactRevision;
    }

    public long requestedRevision() {
        return requestedRevision;
    }

    /** The oldest revision a watch may start after. */
    public long compactRevision() {
        return compactRevision;
    }
}
