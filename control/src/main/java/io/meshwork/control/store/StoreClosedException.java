package io.meshwork.control.store;

/** The store was closed; watches end with this and later calls fail with it. */
public final class StoreClosedException extends StoreException {

    public StoreClosedException() {
        super("store is closed", null);
    }
}
