package io.meshwork.control;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run a control plane.
 *
 * @param dataDir            where {@code meshwork.db} lives; created if missing
 * @param listen             the API's address; port 0 picks a free one
 * @param bookmarkInterval   how often watch streams carry a BOOKMARK so idle clients can resume (default 10 s)
 * @param leaseCheckInterval how often lapsed leases are looked for (default 500 ms)
 * @param clock              the time leases are measured by
 * @param historyRevisions   how many revisions of change history watches can resume from (older history is
 *                           compacted, as etcd's revision-based auto-compaction does; default 10 000)
 */
public record ControlPlaneSettings(Path dataDir, InetSocketAddress listen, Duration bookmarkInterval,
        Duration leaseCheckInterval, Clock clock, long historyRevisions) {

    public static final int DEFAULT_PORT = 15010;
    public static final Duration DEFAULT_BOOKMARK_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_LEASE_CHECK_INTERVAL = Duration.ofMillis(500);
    public static final long DEFAULT_HISTORY_REVISIONS = 10_000;

    public ControlPlaneSettings {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(clock, "clock");
        requirePositive("bookmarkInterval", bookmarkInterval);
        requirePositive("leaseCheckInterval", leaseCheckInterval);
        if (historyRevisions < 1) {
            throw new IllegalArgumentException("historyRevisions: " + historyRevisions + " (expected: >= 1)");
        }
    }

    public ControlPlaneSettings(Path dataDir, InetSocketAddress listen) {
        this(dataDir, listen, DEFAULT_BOOKMARK_INTERVAL, DEFAULT_LEASE_CHECK_INTERVAL, Clock.systemUTC(),
                DEFAULT_HISTORY_REVISIONS);
    }

    public ControlPlaneSettings withBookmarkInterval(Duration interval) {
        return new ControlPlaneSettings(dataDir, listen, interval, leaseCheckInterval, clock, historyRevisions);
    }

    public ControlPlaneSettings withClock(Clock newClock, Duration newLeaseCheckInterval) {
        return new ControlPlaneSettings(dataDir, listen, bookmarkInterval, newLeaseCheckInterval, newClock,
                historyRevisions);
    }

    public ControlPlaneSettings withHistoryRevisions(long revisions) {
        return new ControlPlaneSettings(dataDir, listen, bookmarkInterval, leaseCheckInterval, clock, revisions);
    }

    private static void requirePositive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + ": " + d + " (expected: a positive duration)");
        }
    }
}
