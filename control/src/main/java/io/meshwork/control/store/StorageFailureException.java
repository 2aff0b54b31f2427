package io.meshwork.control.store;

/** The storage underneath failed (disk full, corrupt file, I/O error); the operation did not happen. */
public final class StorageFailureException extends StoreException {

    public StorageFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
