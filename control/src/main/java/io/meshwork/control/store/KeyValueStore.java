package io.meshwork.control.store;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The control plane's storage, with etcd v3's semantics so that an etcd client can implement it unchanged.
 *
 * <ul>
 *   <li>One global revision counts write transactions: every transaction that changes something advances it by
 *       exactly one, and all of its changes carry that revision. Revisions start at 0 for an empty store.</li>
 *   <li>Each key has etcd's createRevision, modRevision and version, and optionally a lease.</li>
 *   <li>A watch on a prefix delivers every change after a given revision, in revision order, with none lost or
 *       repeated, and then live changes. Unlike etcd's inclusive {@code start_revision}, {@code fromRevision} is
 *       exclusive, as Kubernetes' {@code resourceVersion} is: watching from a list's revision yields exactly the
 *       changes the list did not contain.</li>
 *   <li>Leases expire by an absolute deadline; the keys of an expired or revoked lease are deleted in one
 *       transaction (one revision, one DELETE event per key).</li>
 * </ul>
 */
public interface KeyValueStore extends AutoCloseable {

    /** The revision of the last write transaction (0 for a store never written). */
    long currentRevision();

    /** The revision at or below which history was dropped by {@link #compact}; watches must start at or after it. */
    long compactRevision();

    Optional<KeyValue> get(String key);

    /** Every key starting with {@code prefix}, in key order, together with the revision they were read at. */
    RangeResult range(String prefix);

    /**
     * Runs {@code success} if every compare holds, otherwise {@code failure}, atomically.
     *
     * @throws LeaseNotFoundException if a put names a lease that does not exist (nothing is written)
     * @throws IllegalArgumentException if the branch that runs writes one key twice
     */
    TxnResult txn(List<Compare> compares, List<Op> success, List<Op> failure);

    /** Writes {@code key} unconditionally and returns the write's revision. */
    default long put(String key, byte[] value, long lease) {
        return txn(List.of(), List.of(new Op.Put(key, value, lease)), List.of()).revision();
    }

    default long put(String key, String value) {
        return put(key, value.getBytes(StandardCharsets.UTF_8), KeyValue.NO_LEASE);
    }

    /** Deletes {@code key}; returns whether it existed. */
    default boolean delete(String key) {
        return txn(List.of(), List.of(Op.delete(key)), List.of()).previous().get(0) != null;
    }

    /**
     * Writes {@code key} only if its modRevision is {@code expectedModRevision} (0: only if it does not exist).
     * On success {@link TxnResult#revision()} is the new modRevision of the key.
     */
    default TxnResult putIfModRevision(String key, byte[] value, long lease, long expectedModRevision) {
        return txn(List.of(Compare.modRevision(key, expectedModRevision)),
                List.of(new Op.Put(key, value, lease)), List.of());
    }

    /** Deletes {@code key} only if its modRevision is {@code expectedModRevision}. */
    default TxnResult deleteIfModRevision(String key, long expectedModRevision) {
        return txn(List.of(Compare.modRevision(key, expectedModRevision)), List.of(Op.delete(key)), List.of());
    }

    /**
     * Watches every key under {@code prefix}, delivering all changes with a revision greater than
     * {@code fromRevision} (history first, then live) to {@code listener} on a thread of the store's own.
     *
     * @throws CompactedRevisionException if {@code fromRevision} is below {@link #compactRevision()}
     */
    Watch watch(String prefix, long fromRevision, WatchListener listener);

    /** The number of watches currently open (a gauge for metrics, and a way to see that clients let go). */
    int activeWatches();

    /** Drops the history of changes at or below {@code revision}; watches from before it then fail. */
    void compact(long revision);

    /** Grants a lease of {@code ttlSeconds} (at least 1) from now. */
    Lease grant(long ttlSeconds);

    /** Restarts the lease's time to live from now and returns the renewed lease. */
    Lease keepAlive(long leaseId);

    /** The lease if it exists and has not expired. */
    Optional<Lease> lease(long leaseId);

    /** Revokes the lease, deleting its keys in one transaction; returns the number of keys deleted. */
    int revoke(long leaseId);

    @Override
    void close();
}
