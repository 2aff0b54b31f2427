package io.meshwork.control.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link KeyValueStore}: one SQLite file in WAL mode with {@code synchronous=FULL}, so a write is on
 * disk before it is acknowledged. One connection serves reads and writes under one lock; the control plane's
 * write rate is far below what that allows, and it keeps revisions trivially ordered.
 */
public final class SqliteStore implements KeyValueStore {

    /** The database file's name inside the control plane's data directory. */
    public static final String FILE_NAME = "meshwork.db";

    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);
    private static final String REVISION = "revision";
    private static final String COMPACT_REVISION = "compact_revision";

    private final Path file;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final SqliteTables tables;
    private final WatchHub hub;
    private final ScheduledExecutorService leaseTimer;
    private long revision;
    private long compactRevision;
    private boolean closed;

    private SqliteStore(Path file, Clock clock, Duration leaseCheckInterval, int watchLiveLimit) throws SQLException {
        this.file = file;
        this.clock = clock;
        Connection conn = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement st = conn.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            // FULL syncs the WAL on every commit: an acknowledged write survives power loss, not only a crash.
            st.execute("PRAGMA synchronous=FULL");
            st.execute("PRAGMA busy_timeout=5000");
        }
        conn.setAutoCommit(false);
        this.tables = new SqliteTables(conn);
        this.revision = tables.meta(REVISION);
        this.compactRevision = tables.meta(COMPACT_REVISION);
        this.hub = new WatchHub(lock, () -> revision, watchLiveLimit);
        // Leases keep absolute deadlines, so those that ran out while the control plane was down end now.
        expireLeases();
        this.leaseTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshwork-lease-expiry");
            t.setDaemon(true);
            return t;
        });
        long periodMs = Math.max(1, leaseCheckInterval.toMillis());
        leaseTimer.scheduleWithFixedDelay(this::expireLeasesQuietly, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Opens (creating if needed) {@value #FILE_NAME} in {@code dataDir}, with the system clock. */
    public static SqliteStore open(Path dataDir) {
        return open(dataDir.resolve(FILE_NAME), Clock.systemUTC(), Duration.ofMillis(500));
    }

    /**
     * Opens the database {@code file}; leases are timed by {@code clock} and checked every
     * {@code leaseCheckInterval} (tests pass a controllable clock and may call {@link #expireLeases()} directly).
     */
    public static SqliteStore open(Path file, Clock clock, Duration leaseCheckInterval) {
        return open(file, clock, leaseCheckInterval, WatchHub.DEFAULT_LIVE_LIMIT);
    }

    static SqliteStore open(Path file, Clock clock, Duration leaseCheckInterval, int watchLiveLimit) {
        try {
            createOwnerOnly(file.toAbsolutePath());
            return new SqliteStore(file, clock, leaseCheckInterval, watchLiveLimit);
        } catch (SQLException | IOException e) {
            throw new StorageFailureException("cannot open store " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the database file 0600 (and a missing directory 0700) before SQLite opens it. The store holds the CA's
     * keys, and SQLite's unix VFS gives the {@code -wal}, {@code -shm} and {@code -journal} files it creates later
     * the permission bits of the database file, so this one mode decides all of them (SqliteStoreTest checks).
     */
    private static void createOwnerOnly(Path file) throws IOException {
        Path parent = file.getParent();
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!posix) {
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return;
        }
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException existing) {
            // An existing store keeps its mode; the control plane refuses one that others can read.
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public long currentRevision() {
        lock.lock();
        try {
            return revision;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long compactRevision() {
        lock.lock();
        try {
            return compactRevision;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<KeyValue> get(String key) {
        return locked(() -> Optional.ofNullable(tables.get(key)));
    }

    @Override
    public RangeResult range(String prefix) {
        return locked(() -> new RangeResult(tables.range(KeyRange.prefix(prefix)), revision));
    }

    @Override
    public TxnResult txn(List<Compare> compares, List<Op> success, List<Op> failure) {
        requireDistinctKeys(success);
        requireDistinctKeys(failure);
        return locked(() -> {
            boolean ok = true;
            for (Compare c : compares) {
                ok &= c.test(tables.get(c.key()));
            }
            List<Op> ops = ok ? success : failure;
            long now = clock.millis();
            for (Op op : ops) {
                if (op instanceof Op.Put put && put.lease() != KeyValue.NO_LEASE && liveLease(put.lease(), now) == null) {
                    throw new LeaseNotFoundException(put.lease());
                }
            }
            List<KeyValue> previous = write(ops, KeyValue.NO_LEASE);
            return new TxnResult(ok, revision, previous);
        });
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
        if (fromRevision < 0) {
            throw new IllegalArgumentException("fromRevision: " + fromRevision + " (expected: >= 0)");
        }
        KeyRange range = KeyRange.prefix(prefix);
        // Reading history and registering under the writer lock is what makes "none lost, none repeated" hold.
        return locked(() -> {
            if (fromRevision < compactRevision) {
                throw new CompactedRevisionException(fromRevision, compactRevision);
            }
            List<WatchEvent> backlog = fromRevision < revision ? tables.history(range, fromRevision) : List.of();
            return hub.register(range, fromRevision, listener, backlog);
        });
    }

    @Override
    public int activeWatches() {
        return hub.size();
    }

    @Override
    public void compact(long upTo) {
        locked(() -> {
            if (upTo > revision) {
                throw new IllegalArgumentException("revision: " + upTo + " (expected: <= current revision " + revision + ")");
            }
            if (upTo <= compactRevision) {
                return null;
            }
            try {
                tables.dropHistoryThrough(upTo);
                tables.setMeta(COMPACT_REVISION, upTo);
                tables.commit();
            } catch (SQLException e) {
                tables.rollback();
                throw e;
            }
            compactRevision = upTo;
            return null;
        });
    }

    @Override
    public Lease grant(long ttlSeconds) {
        if (ttlSeconds < 1) {
            throw new IllegalArgumentException("ttlSeconds: " + ttlSeconds + " (expected: >= 1)");
        }
        return locked(() -> {
            long id;
            do {
                id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            } while (tables.lease(id) != null);
            Lease lease = new Lease(id, ttlSeconds, clock.instant().plusSeconds(ttlSeconds));
            return commitLease(lease);
        });
    }

    @Override
    public Lease keepAlive(long leaseId) {
        return locked(() -> {
            Lease lease = liveLease(leaseId, clock.millis());
            if (lease == null) {
                throw new LeaseNotFoundException(leaseId);
            }
            return commitLease(new Lease(leaseId, lease.ttlSeconds(), clock.instant().plusSeconds(lease.ttlSeconds())));
        });
    }

    @Override
    public Optional<Lease> lease(long leaseId) {
        return locked(() -> Optional.ofNullable(liveLease(leaseId, clock.millis())));
    }

    @Override
    public int revoke(long leaseId) {
        return locked(() -> {
            if (tables.lease(leaseId) == null) {
                throw new LeaseNotFoundException(leaseId);
            }
            return revokeLocked(leaseId);
        });
    }

    /** Revokes every lease whose deadline has passed by the clock; returns their ids. */
    public List<Long> expireLeases() {
        return locked(() -> {
            List<Long> due = tables.leasesDueBy(clock.millis());
            for (long id : due) {
                int keys = revokeLocked(id);
                log.info("lease {} expired; deleted {} key(s)", id, keys);
            }
            return due;
        });
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            leaseTimer.shutdownNow();
            hub.failAll(new StoreClosedException());
            tables.close();
        } catch (SQLException e) {
            log.warn("closing {} failed", file, e);
        } finally {
            lock.unlock();
        }
    }

    private void expireLeasesQuietly() {
        try {
            expireLeases();
        } catch (StoreClosedException ignored) {
            // The timer raced with close().
        } catch (RuntimeException e) {
            log.warn("lease expiry failed; retrying on the next tick", e);
        }
    }

    private Lease commitLease(Lease lease) throws SQLException {
        try {
            tables.putLease(lease);
            tables.commit();
            return lease;
        } catch (SQLException e) {
            tables.rollback();
            throw e;
        }
    }

    private Lease liveLease(long id, long nowMillis) throws SQLException {
        Lease lease = tables.lease(id);
        return lease != null && lease.deadline().toEpochMilli() > nowMillis ? lease : null;
    }

    private int revokeLocked(long leaseId) throws SQLException {
        List<Op> deletes = new ArrayList<>();
        for (String key : tables.keysOfLease(leaseId)) {
            deletes.add(Op.delete(key));
        }
        write(deletes, leaseId);
        return deletes.size();
    }

    /**
     * Applies {@code ops} as one revision (if they change anything) and removes {@code revokedLease} in the same
     * SQLite transaction, then hands the events to the watchers. Returns each key's state before its op.
     */
    private List<KeyValue> write(List<Op> ops, long revokedLease) throws SQLException {
        long next = revision + 1;
        List<KeyValue> previous = new ArrayList<>(ops.size());
        List<WatchEvent> events = new ArrayList<>(ops.size());
        try {
            for (Op op : ops) {
                KeyValue prev = tables.get(op.key());
                previous.add(prev);
                switch (op) {
                    case Op.Put put -> {
                        KeyValue kv = new KeyValue(put.key(), put.value(), prev == null ? next : prev.createRevision(),
                                next, prev == null ? 1 : prev.version() + 1, put.lease());
                        tables.upsert(kv);
                        events.add(new WatchEvent(WatchEvent.Type.PUT, kv));
                    }
                    case Op.Delete delete -> {
                        if (prev != null) {
                            tables.delete(delete.key());
                            events.add(new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(delete.key(), prev.value(),
                                    prev.createRevision(), next, 0, prev.lease())));
                        }
                    }
                }
            }
            if (revokedLease != KeyValue.NO_LEASE) {
                tables.deleteLease(revokedLease);
            }
            if (!events.isEmpty()) {
                for (int seq = 0; seq < events.size(); seq++) {
                    tables.appendHistory(seq, events.get(seq));
                }
                tables.setMeta(REVISION, next);
            }
            tables.commit();
        } catch (SQLException | RuntimeException e) {
            tables.rollback();
            throw e;
        }
        if (!events.isEmpty()) {
            revision = next;
            hub.publish(events);
        }
        return previous;
    }

    private static void requireDistinctKeys(List<Op> ops) {
        Set<String> seen = new HashSet<>();
        for (Op op : ops) {
            if (!seen.add(op.key())) {
                throw new IllegalArgumentException("ops: key " + op.key() + " twice (expected: each key at most once per transaction)");
            }
        }
    }

    @FunctionalInterface
    private interface SqlAction<T> {
        T run() throws SQLException;
    }

    private <T> T locked(SqlAction<T> action) {
        lock.lock();
        try {
            if (closed) {
                throw new StoreClosedException();
            }
            return action.run();
        } catch (SQLException e) {
            throw new StorageFailureException("store " + file + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
