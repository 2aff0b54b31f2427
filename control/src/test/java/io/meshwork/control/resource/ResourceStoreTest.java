package io.meshwork.control.resource;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.store.Lease;
import io.meshwork.control.store.MutableClock;
import io.meshwork.control.store.SqliteStore;
import io.meshwork.model.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private SqliteStore kv;
    private ResourceStore store;

    @BeforeEach
    void open() {
        kv = SqliteStore.open(dir.resolve("meshwork.db"), new MutableClock(Instant.EPOCH), Duration.ofHours(1));
        store = new ResourceStore(kv, JSON);
    }

    @AfterEach
    void close() {
        kv.close();
    }

    private static ObjectNode rule(String host, String label) throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
                 "metadata": {"name": "r", "namespace": "shop", "labels": {"team": "%s"}},
                 "spec": {"host": "%s"}}
                """.formatted(label, host));
    }

    @Test
    void generationCountsSpecChangesOnly() throws Exception {
        var first = (WriteOutcome.Written) store.replace(Kind.DESTINATION_RULE, rule("a", "x"), 0, ResourceStore.KEEP_LEASE);
        assertThat(first.created()).isTrue();
        assertThat(first.stored().object().at("/metadata/generation").asLong()).isEqualTo(1);

        var relabelled = (WriteOutcome.Written) store.replace(Kind.DESTINATION_RULE, rule("a", "y"), 0,
                ResourceStore.KEEP_LEASE);
        assertThat(relabelled.stored().object().at("/metadata/generation").asLong()).isEqualTo(1);
        assertThat(relabelled.stored().revision()).isGreaterThan(first.stored().revision());

        var respecced = (WriteOutcome.Written) store.replace(Kind.DESTINATION_RULE, rule("b", "y"), 0,
                ResourceStore.KEEP_LEASE);
        assertThat(respecced.stored().object().at("/metadata/generation").asLong()).isEqualTo(2);
        assertThat(respecced.stored().object().at("/metadata/resourceVersion").asText())
                .isEqualTo(Long.toString(respecced.stored().revision()));
    }

    @Test
    void anUnchangedObjectIsNotWrittenAgain() throws Exception {
        store.replace(Kind.DESTINATION_RULE, rule("a", "x"), 0, ResourceStore.KEEP_LEASE);
        long revision = kv.currentRevision();
        var again = (WriteOutcome.Written) store.replace(Kind.DESTINATION_RULE, rule("a", "x"), 0,
                ResourceStore.KEEP_LEASE);
        assertThat(again.stored().revision()).isEqualTo(revision);
        assertThat(kv.currentRevision()).isEqualTo(revision);
    }

    @Test
    void replaceKeepsTheLeaseUnlessGivenOne() throws Exception {
        Lease lease = kv.grant(60);
        store.replace(Kind.DESTINATION_RULE, rule("a", "x"), 0, lease.id());
        var edited = (WriteOutcome.Written) store.replace(Kind.DESTINATION_RULE, rule("b", "x"), 0,
                ResourceStore.KEEP_LEASE);
        assertThat(edited.stored().lease()).isEqualTo(lease.id());
        assertThat(store.get(Kind.DESTINATION_RULE, "shop", "r").orElseThrow().lease()).isEqualTo(lease.id());
    }

    @Test
    void staleRevisionConflictsAndDeleteReportsTheDeletionRevision() throws Exception {
        var created = (WriteOutcome.Written) store.create(Kind.DESTINATION_RULE, rule("a", "x"), 0);
        long rv = created.stored().revision();
        store.replace(Kind.DESTINATION_RULE, rule("b", "x"), rv, ResourceStore.KEEP_LEASE);
        assertThat(store.replace(Kind.DESTINATION_RULE, rule("c", "x"), rv, ResourceStore.KEEP_LEASE))
                .isEqualTo(new WriteOutcome.Conflict("shop", "r", rv, kv.currentRevision()));
        assertThat(store.create(Kind.DESTINATION_RULE, rule("a", "x"), 0))
                .isEqualTo(new WriteOutcome.AlreadyExists("shop", "r"));

        var deleted = (WriteOutcome.Written) store.delete(Kind.DESTINATION_RULE, "shop", "r", 0);
        assertThat(deleted.stored().revision()).isEqualTo(kv.currentRevision());
        assertThat(deleted.stored().object().at("/spec/host").asText()).isEqualTo("b");
        assertThat(store.delete(Kind.DESTINATION_RULE, "shop", "r", 0))
                .isEqualTo(new WriteOutcome.NotFound("shop", "r"));
    }

    @Test
    void keysSeparateKindsNamespacesAndScopes() {
        assertThat(ResourceKeys.key(Kind.VIRTUAL_SERVICE, "shop", "a"))
                .isEqualTo("/registry/networking.istio.io/VirtualService/shop/a");
        assertThat(ResourceKeys.prefix(Kind.VIRTUAL_SERVICE, null))
                .isEqualTo("/registry/networking.istio.io/VirtualService/");
        assertThat(ResourceKeys.key(Kind.NAMESPACE, null, "my-app")).isEqualTo("/registry/core/Namespace/my-app");
    }
}
