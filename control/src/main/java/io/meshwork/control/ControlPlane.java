package io.meshwork.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.api.ApiSecurity;
import io.meshwork.control.api.ApiServer;
import io.meshwork.control.auth.AdminToken;
import io.meshwork.control.auth.Authenticator;
import io.meshwork.control.ca.CaConfig;
import io.meshwork.control.ca.CertificateAuthority;
import io.meshwork.control.ca.SealedCaStorage;
import io.meshwork.control.ca.StoreCaStorage;
import io.meshwork.control.ratelimit.EmbeddedCounters;
import io.meshwork.control.ratelimit.RateLimitCounters;
import io.meshwork.control.ratelimit.RedisCounters;
import io.meshwork.control.resource.ResourceStore;
import io.meshwork.control.store.AtomicFile;
import io.meshwork.control.store.KeyValueStore;
import io.meshwork.control.store.SqliteStore;
import io.meshwork.control.tls.ServingCertificate;
import io.meshwork.model.identity.SpiffeId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running control plane: the store in its data directory, the CA whose root lives in that store, and the API
 * serving both over TLS with the admin credential guarding writes.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

    /** How often history beyond the retained revisions is dropped. */
    static final Duration COMPACTION_PERIOD = Duration.ofMinutes(1);
    /** How often the CA's timed work runs: staged roots activate, retired roots leave, the API cert renews. */
    static final Duration CA_MAINTENANCE_PERIOD = Duration.ofSeconds(15);
    /** The trust bundle in the data directory, for local clients (curl --cacert, the CLI). */
    public static final String TRUST_BUNDLE_FILE = "ca.pem";

    private boolean closed;
    private final DataDirectory directory;
    private final SqliteStore store;
    private final ApiServer api;
    private final long historyRevisions;
    private final CertificateAuthority ca;
    private final ServingCertificate serving;
    private final AdminToken adminToken;
    private final Path trustBundleFile;
    private final ScheduledExecutorService maintenance;

    private ControlPlane(DataDirectory directory, SqliteStore store, ApiServer api, long historyRevisions,
            CertificateAuthority ca, ServingCertificate serving, AdminToken adminToken, Path trustBundleFile) {
        this.directory = directory;
        this.store = store;
        this.api = api;
        this.historyRevisions = historyRevisions;
        this.ca = ca;
        this.serving = serving;
        this.adminToken = adminToken;
        this.trustBundleFile = trustBundleFile;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshwork-maintenance");
            t.setDaemon(true);
            return t;
        });
        long period = COMPACTION_PERIOD.toMillis();
        maintenance.scheduleWithFixedDelay(this::compactQuietly, period, period, TimeUnit.MILLISECONDS);
        long caPeriod = CA_MAINTENANCE_PERIOD.toMillis();
        maintenance.scheduleWithFixedDelay(this::maintainCaQuietly, caPeriod, caPeriod, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the store and the CA (generating a root on first start, or importing the configured one) and starts
     * the API.
     *
     * @throws DataDirectoryException if the data directory is open to other users, used by another control plane,
     *     or cannot be created
     * @throws io.meshwork.control.store.StorageFailureException if the data directory cannot hold the store
     * @throws IllegalArgumentException if the configured root cannot act as a CA
     * @throws IllegalStateException if the address cannot be bound
     */
    public static ControlPlane start(ControlPlaneSettings settings) {
        DataDirectory directory = DataDirectory.open(settings.dataDir());
        Path dataDir = directory.path();
        Path db = dataDir.resolve(SqliteStore.FILE_NAME);
        SqliteStore store;
        try {
            store = SqliteStore.open(db, settings.clock(), settings.leaseCheckInterval());
        } catch (RuntimeException e) {
            directory.close();
            throw e;
        }
        try {
            CertificateAuthority ca = openCa(store, settings);
            Path bundleFile = dataDir.resolve(TRUST_BUNDLE_FILE);
            writeTrustBundle(ca, bundleFile);
            AdminToken admin = AdminToken.open(store, dataDir);
            ServingCertificate serving = settings.tls()
                    ? ServingCertificate.issue(ca, settings.clock(), settings.listen()) : null;
            if (!settings.tls()) {
                log.warn("serving the API over plaintext HTTP: tokens and certificates cross the network unprotected");
            }
            ApiSecurity security = new ApiSecurity(new Authenticator(admin, ca), ca, serving, store,
                    settings.rootActivationDelay(), () -> writeTrustBundle(ca, bundleFile));
            RateLimitCounters counters = settings.rateLimitRedis() == null
                    ? new EmbeddedCounters(settings.clock()) : RedisCounters.of(settings.rateLimitRedis());
            ApiServer api = ApiServer.start(settings.listen(), new ResourceStore(store, new ObjectMapper()),
                    settings.bookmarkInterval(), versionInfo(), security, counters);
            log.info("control plane listening on {} (data {}, revision {}, trust domain {}, rate-limit counters {})",
                    api.url(), db, store.currentRevision(), ca.trustDomain(), counters.describe());
            return new ControlPlane(directory, store, api, settings.historyRevisions(), ca, serving, admin,
                    bundleFile);
        } catch (RuntimeException e) {
            store.close();
            directory.close();
            throw e;
        }
    }

    public int port() {
        return api.localAddress().getPort();
    }

    public InetSocketAddress address() {
        return api.localAddress();
    }

    /** The API's base URL, {@code https://127.0.0.1:15010} (or {@code http://} when TLS is off). */
    public String url() {
        return api.url();
    }

    public boolean tls() {
        return serving != null;
    }

    public KeyValueStore store() {
        return store;
    }

    public CertificateAuthority certificateAuthority() {
        return ca;
    }

    /** {@code <data-dir>/ca.pem}: the trust bundle, rewritten whenever it changes. */
    public Path trustBundleFile() {
        return trustBundleFile;
    }

    /** {@code <data-dir>/admin-token}: the admin credential, readable by its owner only. */
    public Path adminTokenFile() {
        return adminToken.file();
    }

    /** A join token for {@code service} in {@code namespace}, for embedders that start sidecars themselves. */
    public String joinToken(String service, String namespace, Duration ttl) {
        return ca.joinTokens().create(SpiffeId.forWorkload(ca.trustDomain(), namespace, service), ttl);
    }

    /**
     * Drops change history older than the retained number of revisions; watches from before it get 410 Gone and
     * relist. Runs every {@link #COMPACTION_PERIOD}; returns the compaction revision afterwards.
     */
    public long compactHistory() {
        long target = store.currentRevision() - historyRevisions;
        if (target > store.compactRevision()) {
            store.compact(target);
            log.debug("compacted history through revision {}", target);
        }
        return store.compactRevision();
    }

    /**
     * Activates a staged root that is due, drops retired roots whose leaves expired, and renews the API's serving
     * certificate at half its life. Runs every {@link #CA_MAINTENANCE_PERIOD}.
     */
    public void maintainCa() {
        boolean activated = ca.activateStagedRoot();
        boolean pruned = !ca.pruneTrustBundle().isEmpty();
        if (activated || pruned) {
            writeTrustBundle(ca, trustBundleFile);
            log.info("trust bundle changed ({}): {} root(s), signing root {}",
                    activated ? "staged root activated" : "retired root removed", ca.trustBundle().roots().size(),
                    io.meshwork.control.ca.TrustBundle.fingerprint(ca.rootCertificate()));
        }
        if (serving != null && serving.renewIfDue()) {
            log.info("renewed the API's serving certificate");
        }
    }

    private void compactQuietly() {
        try {
            compactHistory();
        } catch (RuntimeException e) {
            log.warn("history compaction failed; retrying in {}", COMPACTION_PERIOD, e);
        }
    }

    private void maintainCaQuietly() {
        try {
            maintainCa();
        } catch (RuntimeException e) {
            log.warn("CA maintenance failed; retrying in {}", CA_MAINTENANCE_PERIOD, e);
        }
    }

    @Override
    public synchronized void close() {
        // Idempotent: a shutdown hook and the owner may both close; the second call has nothing to do.
        if (closed) {
            return;
        }
        closed = true;
        maintenance.shutdownNow();
        try {
            api.close();
        } finally {
            try {
                store.close();
            } finally {
                // Last: the next control plane may open the store the moment the lock is free.
                directory.close();
            }
        }
    }

    private static CertificateAuthority openCa(KeyValueStore store, ControlPlaneSettings settings) {
        char[] passphrase = settings.caKeyPassphraseFile() == null ? null
                : passphrase(settings.caKeyPassphraseFile());
        SealedCaStorage storage = new SealedCaStorage(new StoreCaStorage(store), passphrase);
        if (passphrase != null) {
            java.util.Arrays.fill(passphrase, '\0');
        }
        CaConfig config = CaConfig.forTrustDomain(settings.trustDomain()).withMaxTokenTtl(settings.maxTokenTtl());
        if (settings.caCertFile() == null) {
            return CertificateAuthority.open(storage, config, settings.clock());
        }
        return CertificateAuthority.importRoot(read("caCertFile", settings.caCertFile()),
                read("caKeyFile", settings.caKeyFile()), storage, config, settings.clock());
    }

    private static String read(String field, Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(field + ": " + file + " (expected: a readable PEM file; "
                    + e.getMessage() + ")", e);
        }
    }

    /** The passphrase that seals the CA's keys: the file's content without its final line break; owner-only. */
    private static char[] passphrase(Path file) {
        try {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                var mode = Files.getPosixFilePermissions(file);
                if (mode.stream().anyMatch(p -> !p.name().startsWith("OWNER"))) {
                    throw new IllegalArgumentException("caKeyPassphraseFile: " + file + " is mode "
                            + DataDirectory.octal(mode) + ", open to other users (fix: chmod 600 " + file + ")");
                }
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            text = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                    : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            if (text.isEmpty()) {
                throw new IllegalArgumentException("caKeyPassphraseFile: " + file + " is empty (expected: a"
                        + " passphrase, e.g. from 'openssl rand -base64 32')");
            }
            return text.toCharArray();
        } catch (IOException e) {
            throw new IllegalArgumentException("caKeyPassphraseFile: " + file + " (expected: a readable file; "
                    + e.getMessage() + ")", e);
        }
    }

    /** Replaced atomically so a client never reads half a bundle. */
    private static void writeTrustBundle(CertificateAuthority ca, Path file) {
        AtomicFile.replace(file, ca.trustBundle().toPem());
    }

    private static ObjectNode versionInfo() {
        String version = ControlPlane.class.getPackage().getImplementationVersion();
        ObjectNode info = JsonNodeFactory.instance.objectNode();
        info.put("component", "meshwork-control-plane");
        info.put("version", version == null ? "dev" : version);
        info.put("javaVersion", Runtime.version().toString());
        return info;
    }
}
