package io.meshwork.control.store;

import java.time.Instant;

/**
 * A granted lease: keys attached to it are deleted when it is revoked or its deadline passes without a keep-alive.
 *
 * @param id         the lease id (never {@link KeyValue#NO_LEASE})
 * @param ttlSeconds the granted time to live, applied again by every keep-alive
 * @param deadline   the absolute instant the lease expires (kept across restarts)
 */
public record Lease(long id, long ttlSeconds, Instant deadline) {
}
