package io.meshwork.control.ca;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every join token the CA made and has not forgotten, kept in its {@link CaStorage} as one small text blob. A token
 * verifies only while its record exists and is not revoked, so a listing shows exactly what can still enrol and a
 * revocation takes effect on the next request. Records are dropped a day after their token expired: by then the
 * token fails its expiry check anyway.
 *
 * <p>Thread-safe: writers are serialized, readers see an immutable snapshot.
 */
public final class TokenLedger {
    static final String NAME = "join-tokens.txt";
    /** How long an expired token stays listed (as {@code expired}) before it is forgotten. */
    static final Duration KEEP_EXPIRED = Duration.ofDays(1);

    private final CaStorage storage;
    private final Clock clock;
    private volatile Map<String, TokenRecord> records;

    TokenLedger(CaStorage storage, Clock clock) {
        this.storage = storage;
        this.clock = clock;
        Map<String, TokenRecord> loaded = new LinkedHashMap<>();
        storage.get(NAME).ifPresent(text -> text.lines().filter(l -> !l.isBlank())
                .map(TokenRecord::parse).forEach(r -> loaded.put(r.id(), r)));
        this.records = Map.copyOf(loaded);
    }

    public Optional<TokenRecord> find(String id) {
        return Optional.ofNullable(records.get(id));
    }

    /** Newest first. */
    public List<TokenRecord> list() {
        return records.values().stream()
                .sorted(Comparator.comparing(TokenRecord::createdAt).reversed().thenComparing(TokenRecord::id))
                .toList();
    }

    synchronized void add(TokenRecord record) {
        Map<String, TokenRecord> next = pruned();
        next.put(record.id(), record);
        store(next);
    }

    /**
     * Marks the token revoked; a token revoked already keeps its first revocation time.
     *
     * @return the record as it is now, or empty when no token has that id
     */
    public synchronized Optional<TokenRecord> revoke(String id) {
        TokenRecord current = records.get(id);
        if (current == null) {
            return Optional.empty();
        }
        if (current.revokedAt() != null) {
            return Optional.of(current);
        }
        TokenRecord revoked = current.revoked(clock.instant());
        Map<String, TokenRecord> next = pruned();
        next.put(id, revoked);
        store(next);
        return Optional.of(revoked);
    }

    private Map<String, TokenRecord> pruned() {
        Instant forgetBefore = clock.instant().minus(KEEP_EXPIRED);
        Map<String, TokenRecord> next = new LinkedHashMap<>();
        records.values().stream().filter(r -> r.expiresAt().isAfter(forgetBefore))
                .forEach(r -> next.put(r.id(), r));
        return next;
    }

    private void store(Map<String, TokenRecord> next) {
        // Stored before it is believed: a crash never leaves a revocation that only the memory knew.
        storage.put(NAME, next.values().stream().map(TokenRecord::line)
                .collect(Collectors.joining("\n", "", next.isEmpty() ? "" : "\n")));
        records = Map.copyOf(next);
    }
}
