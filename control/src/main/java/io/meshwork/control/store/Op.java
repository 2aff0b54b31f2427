package io.meshwork.control.store;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** A write inside a {@link KeyValueStore#txn transaction}. */
public sealed interface Op {

    String key();

    /** Creates or replaces {@code key}; {@code lease} is {@link KeyValue#NO_LEASE} or a granted lease. */
    record Put(String key, byte[] value, long lease) implements Op {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.isEmpty()) {
                throw new IllegalArgumentException("key: \"\" (expected: a non-empty key)");
            }
        }
    }

    /** Deletes {@code key}; deleting a missing key is not an error and writes nothing. */
    record Delete(String key) implements Op {
        public Delete {
            Objects.requireNonNull(key, "key");
        }
    }

    static Op put(String key, byte[] value) {
        return new Put(key, value, KeyValue.NO_LEASE);
    }

    static Op put(String key, String value) {
        return new Put(key, value.getBytes(StandardCharsets.UTF_8), KeyValue.NO_LEASE);
    }

    static Op delete(String key) {
        return new Delete(key);
    }
}
