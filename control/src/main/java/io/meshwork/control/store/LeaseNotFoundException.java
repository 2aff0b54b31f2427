package io.meshwork.control.store;

/** The lease does not exist: never granted, revoked, or expired. */
public final class LeaseNotFoundException extends StoreException {

    private final long leaseId;

    public LeaseNotFoundException(long leaseId) {
        super("lease: " + leaseId + " (expected: a granted, unexpired lease)", null);
        this.leaseId = leaseId;
    }

    public long leaseId() {
        return leaseId;
    }
}
