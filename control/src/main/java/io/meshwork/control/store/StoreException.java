package io.meshwork.control.store;

/** A failure reported by a {@link KeyValueStore}; the subtype tells the caller what to do next. */
public abstract sealed class StoreException extends RuntimeException
        permits CompactedRevisionException, LeaseNotFoundException, WatchOverflowException, StoreClosedException,
        StorageFailureException {

    StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
