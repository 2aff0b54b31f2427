package io.meshwork.control.ca;

import io.meshwork.model.identity.SpiffeId;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Workload identities whose credentials were revoked: for each, a cut-off before which every join token and every
 * certificate of that identity stops counting. Renewing a certificate issued before the cut-off is refused (403), so
 * is enrolling with a token created before it, and reads of the configuration with either. New credentials work:
 * the operator revokes a compromised identity, then gives the real workload a fresh join token. Certificates
 * already issued stay valid for mutual TLS between sidecars until they expire (24 h by default): the mesh has no
 * CRL or OCSP.
 *
 * <p>The cut-off is the whole second after the revocation, because X.509 times are whole seconds (RFC 5280
 * §4.1.2.5): every certificate and token issued up to the revocation then dates from strictly before it, and the CA
 * gives certificates issued after it a notBefore of at least the cut-off. (Credentials issued in the rest of the
 * revocation's second are revoked too.)
 */
public final class IdentityRevocations {
    static final String NAME = "revoked-identities.txt";

    /** One revoked identity and its cut-off. */
    public record Revocation(SpiffeId identity, Instant cutoff) {}

    private final CaStorage storage;
    private final Clock clock;
    private volatile Map<SpiffeId, Instant> cutoffs;

    IdentityRevocations(CaStorage storage, Clock clock) {
        this.storage = storage;
        this.clock = clock;
        Map<SpiffeId, Instant> loaded = new LinkedHashMap<>();
        storage.get(NAME).ifPresent(text -> text.lines().filter(l -> !l.isBlank()).forEach(line -> {
            String[] f = line.strip().split(" ");
            try {
                if (f.length == 2 && SpiffeId.parse(f[1]) instanceof SpiffeId.Valid valid) {
                    loaded.put(valid.id(), Instant.parse(f[0]));
                    return;
                }
            } catch (DateTimeParseException e) {
                // Reported below.
            }
            throw new IllegalStateException(NAME + ": " + line + " (expected: <instant> <spiffe-id>)");
        }));
        this.cutoffs = Map.copyOf(loaded);
    }

    /**
     * Revokes every credential of {@code identity} issued until now. Revoking again moves the cut-off forward,
     * ending the credentials issued since the last time too.
     */
    public synchronized Revocation revoke(SpiffeId identity) {
        // The next whole second, strictly after now: whatever was issued up to this instant falls before it.
        Instant cutoff = clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        Map<SpiffeId, Instant> next = new LinkedHashMap<>(cutoffs);
        next.put(identity, cutoff);
        storage.put(NAME, next.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining("\n", "", "\n")));
        cutoffs = Map.copyOf(next);
        return new Revocation(identity, cutoff);
    }

    /** The cut-off for {@code identity}, if it was ever revoked. */
    public Optional<Instant> cutoff(SpiffeId identity) {
        return Optional.ofNullable(cutoffs.get(identity));
    }

    /** Whether a credential of {@code identity} issued at {@code issuedAt} was revoked. */
    public boolean revoked(SpiffeId identity, Instant issuedAt) {
        Instant cutoff = cutoffs.get(identity);
        return cutoff != null && issuedAt.isBefore(cutoff);
    }

    public List<Revocation> list() {
        return cutoffs.entrySet().stream().map(e -> new Revocation(e.getKey(), e.getValue()))
                .sorted(Comparator.comparing(Revocation::cutoff).reversed()).toList();
    }
}
