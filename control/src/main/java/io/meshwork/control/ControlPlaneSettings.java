package io.meshwork.control;

import io.meshwork.control.ca.CaConfig;
import io.meshwork.control.ca.JoinTokens;
import io.meshwork.model.identity.SpiffeId;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run a control plane.
 *
 * @param dataDir             where {@code meshwork.db}, {@code ca.pem} and {@code admin-token} live; created 0700 if
 *                            missing, refused if other users can open it or another control plane holds it
 * @param listen              the API's address; port 0 picks a free one
 * @param bookmarkInterval    how often watch streams carry a BOOKMARK so idle clients can resume (default 10 s)
 * @param leaseCheckInterval  how often lapsed leases are looked for (default 500 ms)
 * @param clock               the time leases, certificates and tokens are measured by
 * @param historyRevisions    how many revisions of change history watches can resume from (older history is
 *                            compacted, as etcd's revision-based auto-compaction does; default 10 000)
 * @param trustDomain         the SPIFFE trust domain of every identity the CA issues (default cluster.local)
 * @param caCertFile          a PEM root certificate to sign with instead of a generated one, or null
 * @param caKeyFile           the unencrypted PEM private key of {@code caCertFile}; both or neither
 * @param tls                 serve the API over TLS (the default); false serves plaintext, for development only
 * @param rootActivationDelay how long a rotated root is trusted before it signs, so every sidecar has the new
 *                            bundle first (default 2 min: several polls of the bundle)
 * @param maxTokenTtl         the longest lifetime a join token may be created with (default 30 days)
 * @param caKeyPassphraseFile a file (owner-only) whose content encrypts the CA's keys in the store, or null to keep
 *                            them in the clear, protected by the data dir's permissions only
 * @param rateLimitRedis      {@code redis://HOST:PORT} holding the counters of GLOBAL rate limits, so that several
 *                            replicas share one budget; null keeps them in this control plane's memory
 */
public record ControlPlaneSettings(Path dataDir, InetSocketAddress listen, Duration bookmarkInterval,
        Duration leaseCheckInterval, Clock clock, long historyRevisions, String trustDomain, Path caCertFile,
        Path caKeyFile, boolean tls, Duration rootActivationDelay, Duration maxTokenTtl,
        Path caKeyPassphraseFile, URI rateLimitRedis) {

    public static final int DEFAULT_PORT = 15010;
    public static final Duration DEFAULT_BOOKMARK_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_LEASE_CHECK_INTERVAL = Duration.ofMillis(500);
    public static final long DEFAULT_HISTORY_REVISIONS = 10_000;
    public static final Duration DEFAULT_ROOT_ACTIVATION_DELAY = Duration.ofMinutes(2);

    public ControlPlaneSettings {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(clock, "clock");
        requirePositive("bookmarkInterval", bookmarkInterval);
        requirePositive("leaseCheckInterval", leaseCheckInterval);
        if (historyRevisions < 1) {
            throw new IllegalArgumentException("historyRevisions: " + historyRevisions + " (expected: >= 1)");
        }
        if (trustDomain == null || !(SpiffeId.parse("spiffe://" + trustDomain) instanceof SpiffeId.Valid)) {
            throw new IllegalArgumentException("trustDomain: " + trustDomain
                    + " (expected: a trust domain such as cluster.local)");
        }
        if ((caCertFile == null) != (caKeyFile == null)) {
            throw new IllegalArgumentException("caKeyFile: " + caKeyFile + " with caCertFile: " + caCertFile
                    + " (expected: both files or neither)");
        }
        if (rootActivationDelay == null || rootActivationDelay.isNegative()) {
            throw new IllegalArgumentException("rootActivationDelay: " + rootActivationDelay + " (expected: >= 0)");
        }
        requirePositive("maxTokenTtl", maxTokenTtl);
        if (rateLimitRedis != null && (!"redis".equals(rateLimitRedis.getScheme()) || rateLimitRedis.getHost() == null
                || rateLimitRedis.getPort() < 1)) {
            throw new IllegalArgumentException("rateLimitRedis: " + rateLimitRedis + " (expected: redis://HOST:PORT)");
        }
    }

    public ControlPlaneSettings(Path dataDir, InetSocketAddress listen) {
        this(dataDir, listen, DEFAULT_BOOKMARK_INTERVAL, DEFAULT_LEASE_CHECK_INTERVAL, Clock.systemUTC(),
                DEFAULT_HISTORY_REVISIONS, CaConfig.DEFAULT_TRUST_DOMAIN, null, null, true,
                DEFAULT_ROOT_ACTIVATION_DELAY, JoinTokens.DEFAULT_MAX_TTL, null, null);
    }

    public ControlPlaneSettings withBookmarkInterval(Duration interval) {
        return new ControlPlaneSettings(dataDir, listen, interval, leaseCheckInterval, clock, historyRevisions,
                trustDomain, caCertFile, caKeyFile, tls, rootActivationDelay, maxTokenTtl, caKeyPassphraseFile, rateLimitRedis);
    }

    public ControlPlaneSettings withClock(Clock newClock, Duration newLeaseCheckInterval) {
        return new ControlPlaneSettings(dataDir, listen, bookmarkInterval, newLeaseCheckInterval, newClock,
                historyRevisions, trustDomain, caCertFile, caKeyFile, tls, rootActivationDelay, maxTokenTtl,
                caKeyPassphraseFile, rateLimitRedis);
    }

    public ControlPlaneSettings withHistoryRevisions(long revisions) {
        return new ControlPlaneSettings(dataDir, listen, bookmarkInterval, leaseCheckInterval, clock, revisions,
                trustDomain, caCertFile, caKeyFile, tls, rootActivationDelay, maxTokenTtl, caKeyPassphraseFile, rateLimitRedis);
    }

    public ControlPlaneSettings withTrustDomain(String domain) {
        return new ControlPlaneSettings(dataDir, listen, bookmarkInterval, leaseCheckInterval, clock,
                historyRevisions, domain, caCertFile, caKeyFile, tls, rootActivationDelay, maxTokenTtl,
                caKeyPassphraseFile, rateLimitRedis);
    }

    /** Signs with an operator-supplied root (PEM certificate and unencrypted PEM key) instead of a generated one. */
    public ControlPlaneSettings withCaFiles(Path certFile, Path keyFile) {
        return new ControlPlaneSettings(dataDir, listen, bookmarkInterval, leaseCheckInterval, clock,
                historyRevisions, trustDomain, certFile, keyFile, tls, rootActivationDelay, maxTokenTtl,
                caKeyPassphraseFile, rateLimitRedis);
    }

    /** {@code false} serves the API over plaintext HTTP: for development and tests, never across machines. */
    public ControlPlaneSettings withTls(boolean enabled) {
        return new ControlPlaneSettings(dataDir, listen, bookmarkInterval, leaseCheckInterval, clock,
                historyRevisions, trustDomain, caCertFile, caKeyFile, enabled, rootActivationDelay, maxTokenTtl,
                caKeyPassphraseFile, rateLimitRedis);
    }

    public ControlPlaneSettings withRootActivationDelay(Duration delay) {
        return new ControlPlaneSettings(dataDir, listen, bookmarkInterval, leaseCheckInterval, clock,
                historyRevisions, trustDomain, caCertFile, caKeyFile, tls, delay, maxTokenTtl, caKeyPassphraseFile, rateLimitRedis);
    }

    /** The longest lifetime {@code meshwork token create --ttl} may ask for. */
    public ControlPlaneSettings withMaxTokenTtl(Duration ttl) {
        return new ControlPlaneSettings(dataDir, listen, bookmarkInterval, leaseCheckInterval, clock,
                historyRevisions, trustDomain, caCertFile, caKeyFile, tls, rootActivationDelay, ttl,
                caKeyPassphraseFile, rateLimitRedis);
    }

    /** Encrypts the CA's keys in the store with the passphrase in {@code file}. */
    public ControlPlaneSettings withCaKeyPassphraseFile(Path file) {
        return new ControlPlaneSettings(dataDir, listen, bookmarkInterval, leaseCheckInterval, clock,
                historyRevisions, trustDomain, caCertFile, caKeyFile, tls, rootActivationDelay, maxTokenTtl, file, rateLimitRedis);
    }

    /** Keeps the counters of GLOBAL rate limits in Redis at {@code address} ({@code redis://HOST:PORT}). */
    public ControlPlaneSettings withRateLimitRedis(URI address) {
        return new ControlPlaneSettings(dataDir, listen, bookmarkInterval, leaseCheckInterval, clock,
                historyRevisions, trustDomain, caCertFile, caKeyFile, tls, rootActivationDelay, maxTokenTtl,
                caKeyPassphraseFile, address);
    }

    private static void requirePositive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + ": " + d + " (expected: a positive duration)");
        }
    }
}
