package io.meshwork.control.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One stored key with etcd's {@code mvccpb.KeyValue} bookkeeping.
 *
 * @param key            the key, e.g. {@code /registry/networking.istio.io/VirtualService/shop/orders}
 * @param value          the stored bytes
 * @param createRevision revision of the write that created the key (since its last deletion)
 * @param modRevision    revision of the last write to the key
 * @param version        number of writes since creation; 1 for a new key
 * @param lease          the lease the key is attached to, or {@link #NO_LEASE}
 */
public record KeyValue(String key, byte[] value, long createRevision, long modRevision, long version, long lease) {

    /** The lease id of a key that lives until deleted. */
    public static final long NO_LEASE = 0;

    public KeyValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /** The value decoded as UTF-8. */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue other
                && key.equals(other.key)
                && Arrays.equals(value, other.value)
                && createRevision == other.createRevision
                && modRevision == other.modRevision
                && version == other.version
                && lease == other.lease;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value), createRevision, modRevision, version, lease);
    }

    @Override
    public String toString() {
        return "KeyValue[key=" + key + ", createRevision=" + createRevision + ", modRevision=" + modRevision
                + ", version=" + version + ", lease=" + lease + ", bytes=" + value.length + "]";
    }
}
