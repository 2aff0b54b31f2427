package io.meshwork.control.store;

import java.util.Objects;

/** A guard of a {@link KeyValueStore#txn transaction}, evaluated against the current state of one key. */
public sealed interface Compare {

    String key();

    /** Whether the guard holds for the key's current state ({@code null} when the key does not exist). */
    boolean test(KeyValue current);

    /** The key's modRevision equals {@code expected}; 0 means the key must not exist. */
    record ModRevision(String key, long expected) implements Compare {
        public ModRevision {
            Objects.requireNonNull(key, "key");
            if (expected < 0) {
                throw new IllegalArgumentException("expected: " + expected + " (expected: >= 0)");
            }
        }

        @Override
        public boolean test(KeyValue current) {
            return current == null ? expected == 0 : current.modRevision() == expected;
        }
    }

    /** The key's version equals {@code expected}; 0 means the key must not exist. */
    record Version(String key, long expected) implements Compare {
        public Version {
            Objects.requireNonNull(key, "key");
            if (expected < 0) {
                throw new IllegalArgumentException("expected: " + expected + " (expected: >= 0)");
            }
        }

        @Override
        public boolean test(KeyValue current) {
            return current == null ? expected == 0 : current.version() == expected;
        }
    }

    static Compare modRevision(String key, long expected) {
        return new ModRevision(key, expected);
    }

    static Compare absent(String key) {
        return new ModRevision(key, 0);
    }
}
