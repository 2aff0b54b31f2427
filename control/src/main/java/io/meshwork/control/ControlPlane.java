package io.meshwork.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.api.ApiServer;
import io.meshwork.control.resource.ResourceStore;
import io.meshwork.control.store.KeyValueStore;
import io.meshwork.control.store.SqliteStore;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running control plane: the store in its data directory and the API serving it. */
public final class ControlPlane implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

    /** How often history beyond the retained revisions is dropped. */
    static final Duration COMPACTION_PERIOD = Duration.ofMinutes(1);

    private final SqliteStore store;
    private final ApiServer api;
    private final long historyRevisions;
    private final ScheduledExecutorService compactor;

    private ControlPlane(SqliteStore store, ApiServer api, long historyRevisions) {
        this.store = store;
        this.api = api;
        this.historyRevisions = historyRevisions;
        this.compactor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshwork-compactor");
            t.setDaemon(true);
            return t;
        });
        long period = COMPACTION_PERIOD.toMillis();
        compactor.scheduleWithFixedDelay(this::compactQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the store and starts the API.
     *
     * @throws io.meshwork.control.store.StorageFailureException if the data directory cannot hold the store
     * @throws IllegalStateException if the address cannot be bound
     */
    public static ControlPlane start(ControlPlaneSettings settings) {
        Path db = settings.dataDir().resolve(SqliteStore.FILE_NAME);
        SqliteStore store = SqliteStore.open(db, settings.clock(), settings.leaseCheckInterval());
        try {
            ApiServer api = ApiServer.start(settings.listen(), new ResourceStore(store, new ObjectMapper()),
                    settings.bookmarkInterval(), versionInfo());
            InetSocketAddress at = api.localAddress();
            log.info("control plane listening on http://{}:{} (data {}, revision {})",
                    at.getAddress().getHostAddress(), at.getPort(), db, store.currentRevision());
            return new ControlPlane(store, api, settings.historyRevisions());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public int port() {
        return api.localAddress().getPort();
    }

    public InetSocketAddress address() {
        return api.localAddress();
    }

    public KeyValueStore store() {
        return store;
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

    private void compactQuietly() {
        try {
            compactHistory();
        } catch (RuntimeException e) {
            log.warn("history compaction failed; retrying in {}", COMPACTION_PERIOD, e);
        }
    }

    @Override
    public void close() {
        compactor.shutdownNow();
        try {
            api.close();
        } finally {
            store.close();
        }
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
