package io.meshwork.control.ca;

import io.meshwork.model.identity.SpiffeId;
import java.time.Instant;
import java.util.Objects;

/**
 * What the control plane remembers of a join token it made: never the token, only its id (the first field of its
 * payload), whom it is for and when it stops working.
 *
 * @param revokedAt when {@code meshwork token revoke} ended it, or null
 */
public record TokenRecord(String id, SpiffeId identity, Instant createdAt, Instant expiresAt, Instant revokedAt) {

    /** What a listing shows. */
    public enum Status { ACTIVE, EXPIRED, REVOKED }

    public TokenRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public Status status(Instant now) {
        if (revokedAt != null) {
            return Status.REVOKED;
        }
        return now.isBefore(expiresAt) ? Status.ACTIVE : Status.EXPIRED;
    }

    TokenRecord revoked(Instant at) {
        return new TokenRecord(id, identity, createdAt, expiresAt, at);
    }

    /** One line of the ledger: {@code <id> <created> <expires> <revoked|-> <spiffe-id>}. */
    String line() {
        return id + " " + createdAt + " " + expiresAt + " " + (revokedAt == null ? "-" : revokedAt.toString()) + " "
                + identity;
    }

    static TokenRecord parse(String line) {
        String[] f = line.strip().split(" ");
        if (f.length != 5 || !(SpiffeId.parse(f[4]) instanceof SpiffeId.Valid valid)) {
            throw new IllegalStateException(TokenLedger.NAME + ": " + line
                    + " (expected: <id> <created> <expires> <revoked|-> <spiffe-id>)");
        }
        try {
            return new TokenRecord(f[0], valid.id(), Instant.parse(f[1]), Instant.parse(f[2]),
                    f[3].equals("-") ? null : Instant.parse(f[3]));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalStateException(TokenLedger.NAME + ": " + line + " (expected: RFC 3339 instants)", e);
        }
    }
}
