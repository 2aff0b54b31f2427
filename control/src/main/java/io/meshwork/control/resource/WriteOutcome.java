package io.meshwork.control.resource;

/** What became of a create, replace or delete; the API maps each case to a status code. */
public sealed interface WriteOutcome {

    /** The write happened; {@code stored} is the object as now stored (for a delete: its last state). */
    record Written(StoredObject stored, boolean created) implements WriteOutcome {
    }

    /** A create found the object already there. */
    record AlreadyExists(String namespace, String name) implements WriteOutcome {
    }

    /** The object is absent (get, replace with a precondition, delete). */
    record NotFound(String namespace, String name) implements WriteOutcome {
    }

    /** The object changed since {@code expectedRevision}; {@code currentRevision} is 0 if it no longer exists. */
    record Conflict(String namespace, String name, long expectedRevision, long currentRevision) implements WriteOutcome {
    }
}
