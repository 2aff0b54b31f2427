package io.meshwork.control.resource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.store.Compare;
import io.meshwork.control.store.KeyValue;
import io.meshwork.control.store.KeyValueStore;
import io.meshwork.control.store.Op;
import io.meshwork.control.store.TxnResult;
import io.meshwork.model.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Objects over the {@link KeyValueStore}, with Kubernetes' bookkeeping: {@code metadata.resourceVersion} is the
 * key's modRevision (never stored, always derived), {@code metadata.generation} counts changes of {@code spec}, and
 * writes guarded by a resourceVersion are compare-and-set on the modRevision.
 */
public final class ResourceStore {

    /** Passed as a lease to keep whatever lease the object already has (none for a new object). */
    public static final long KEEP_LEASE = -1;

    /** Unconditional writes retry this often when another writer slips in between their read and their write. */
    private static final int MAX_ATTEMPTS = 16;

    private final KeyValueStore kv;
    private final ObjectMapper json;

    public ResourceStore(KeyValueStore kv, ObjectMapper json) {
        this.kv = Objects.requireNonNull(kv, "kv");
        this.json = Objects.requireNonNull(json, "json");
    }

    public KeyValueStore keyValueStore() {
        return kv;
    }

    /** The objects of {@code kind} in {@code namespace} (all namespaces when null) and the revision read at. */
    public ObjectList list(Kind kind, String namespace) {
        return list(ResourceKeys.prefix(kind, namespace));
    }

    /** Every object of every kind, for clients that mirror the whole configuration. */
    public ObjectList listAll() {
        return list(ResourceKeys.ALL);
    }

    private ObjectList list(String prefix) {
        var range = kv.range(prefix);
        return new ObjectList(range.kvs().stream().map(this::decode).toList(), range.revision());
    }

    public Optional<StoredObject> get(Kind kind, String namespace, String name) {
        return kv.get(ResourceKeys.key(kind, namespace, name)).map(this::decode);
    }

    /** Creates the object named by its metadata; fails if it exists. */
    public WriteOutcome create(Kind kind, ObjectNode object, long lease) {
        ObjectNode meta = metadata(object);
        String ns = meta.path("namespace").asText();
        String name = meta.path("name").asText();
        ObjectNode toStore = prepare(object, 1);
        TxnResult r = kv.putIfModRevision(ResourceKeys.key(kind, ns, name), encode(toStore), leaseOrNone(lease), 0);
        return r.succeeded()
                ? new WriteOutcome.Written(stored(toStore, r.revision(), leaseOrNone(lease)), true)
                : new WriteOutcome.AlreadyExists(ns, name);
    }

    /**
     * Creates or replaces the object. With {@code expectedRevision} > 0 the write happens only if the stored object
     * is still at that revision (Kubernetes' optimistic concurrency on {@code resourceVersion}).
     */
    public WriteOutcome replace(Kind kind, ObjectNode object, long expectedRevision, long lease) {
        ObjectNode meta = metadata(object);
        String ns = meta.path("namespace").asText();
        String name = meta.path("name").asText();
        String key = ResourceKeys.key(kind, ns, name);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<KeyValue> current = kv.get(key);
            long currentRevision = current.map(KeyValue::modRevision).orElse(0L);
            if (expectedRevision > 0 && expectedRevision != currentRevision) {
                return new WriteOutcome.Conflict(ns, name, expectedRevision, currentRevision);
            }
            long generation = 1;
            long keptLease = KeyValue.NO_LEASE;
            if (current.isPresent()) {
                ObjectNode old = parse(current.get().value());
                long oldGeneration = old.path("metadata").path("generation").asLong(1);
                generation = old.path("spec").equals(object.path("spec")) ? oldGeneration : oldGeneration + 1;
                keptLease = current.get().lease();
            }
            long effectiveLease = lease == KEEP_LEASE ? keptLease : lease;
            ObjectNode toStore = prepare(object, generation);
            // Compared after a round trip so that number node types (int or long) do not matter.
            if (current.isPresent() && effectiveLease == keptLease
                    && parse(current.get().value()).equals(parse(encode(toStore)))) {
                // Like Kubernetes, an update that changes nothing writes nothing: re-applying a file is free and
                // wakes no watcher.
                return new WriteOutcome.Written(decode(current.get()), false);
            }
            TxnResult r = kv.putIfModRevision(key, encode(toStore), effectiveLease, currentRevision);
            if (r.succeeded()) {
                return new WriteOutcome.Written(stored(toStore, r.revision(), effectiveLease), current.isEmpty());
            }
            if (expectedRevision > 0) {
                long now = kv.get(key).map(KeyValue::modRevision).orElse(0L);
                return new WriteOutcome.Conflict(ns, name, expectedRevision, now);
            }
        }
        throw new IllegalStateException("replace of " + key + " lost " + MAX_ATTEMPTS + " races in a row");
    }

    /**
     * Creates or replaces every object in one transaction, so watchers see the whole set appear at one revision
     * and never a half-applied file. Objects equal to what is stored are left alone; leases are kept.
     *
     * @throws IllegalArgumentException if two objects share a key
     */
    public ApplyResult applyAll(List<Desired> objects) {
        return applyAll(objects, false);
    }

    /**
     * As {@link #applyAll(List)}; with {@code dryRun} every action is worked out against the stored objects but
     * nothing is written, and the revision is the one they were read at.
     */
    public ApplyResult applyAll(List<Desired> objects, boolean dryRun) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            List<Compare> compares = new ArrayList<>(objects.size());
            List<Op> puts = new ArrayList<>();
            List<Applied> applied = new ArrayList<>(objects.size());
            for (Desired d : objects) {
                ObjectMeta meta = ObjectMeta.of(d);
                String key = ResourceKeys.key(d.kind(), meta.namespace(), meta.name());
                Optional<KeyValue> current = kv.get(key);
                long currentRevision = current.map(KeyValue::modRevision).orElse(0L);
                compares.add(Compare.modRevision(key, currentRevision));
                long generation = 1;
                ObjectNode old = current.map(c -> parse(c.value())).orElse(null);
                if (old != null) {
                    long oldGeneration = old.path("metadata").path("generation").asLong(1);
                    generation = old.path("spec").equals(d.object().path("spec")) ? oldGeneration : oldGeneration + 1;
                }
                byte[] encoded = encode(prepare(d.object(), generation));
                // Compared after a round trip so that number node types (int or long) do not matter.
                if (old != null && old.equals(parse(encoded))) {
                    applied.add(new Applied(d.kind(), meta.namespace(), meta.name(), Applied.Action.UNCHANGED));
                    continue;
                }
                puts.add(new Op.Put(key, encoded, current.map(KeyValue::lease).orElse(KeyValue.NO_LEASE)));
                applied.add(new Applied(d.kind(), meta.namespace(), meta.name(),
                        old != null ? Applied.Action.CONFIGURED : Applied.Action.CREATED));
            }
            if (dryRun) {
                return new ApplyResult(applied, kv.currentRevision());
            }
            TxnResult r = kv.txn(compares, puts, List.of());
            if (r.succeeded()) {
                return new ApplyResult(applied, r.revision());
            }
        }
        throw new IllegalStateException("apply lost " + MAX_ATTEMPTS + " races in a row");
    }

    /** Where a desired object goes: its namespace (null for cluster-scoped kinds) and name. */
    private record ObjectMeta(String namespace, String name) {
        static ObjectMeta of(Desired d) {
            ObjectNode meta = metadata(d.object());
            return new ObjectMeta(d.kind().namespaced() ? meta.path("namespace").asText() : null,
                    meta.path("name").asText());
        }
    }

    /** Deletes the object, only at {@code expectedRevision} when that is > 0. */
    public WriteOutcome delete(Kind kind, String namespace, String name, long expectedRevision) {
        String key = ResourceKeys.key(kind, namespace, name);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<KeyValue> current = kv.get(key);
            if (current.isEmpty()) {
                return new WriteOutcome.NotFound(namespace, name);
            }
            long currentRevision = current.get().modRevision();
            if (expectedRevision > 0 && expectedRevision != currentRevision) {
                return new WriteOutcome.Conflict(namespace, name, expectedRevision, currentRevision);
            }
            TxnResult r = kv.deleteIfModRevision(key, currentRevision);
            if (r.succeeded()) {
                // Kubernetes reports a deleted object at the revision of its deletion.
                ObjectNode last = parse(current.get().value());
                return new WriteOutcome.Written(stored(last, r.revision(), current.get().lease()), false);
            }
        }
        throw new IllegalStateException("delete of " + key + " lost " + MAX_ATTEMPTS + " races in a row");
    }

    /** The object held by a stored key (also the last state carried by a watch's DELETE event). */
    public StoredObject decode(KeyValue stored) {
        return stored(parse(stored.value()), stored.modRevision(), stored.lease());
    }

    private StoredObject stored(ObjectNode object, long revision, long lease) {
        ObjectNode copy = object.deepCopy();
        metadata(copy).put("resourceVersion", Long.toString(revision));
        return new StoredObject(copy, revision, lease);
    }

    private ObjectNode prepare(ObjectNode object, long generation) {
        ObjectNode copy = object.deepCopy();
        ObjectNode meta = metadata(copy);
        meta.remove("resourceVersion");
        meta.put("generation", generation);
        return copy;
    }

    private static ObjectNode metadata(ObjectNode object) {
        JsonNode meta = object.get("metadata");
        if (meta instanceof ObjectNode o) {
            return o;
        }
        return object.putObject("metadata");
    }

    private static long leaseOrNone(long lease) {
        return lease == KEEP_LEASE ? KeyValue.NO_LEASE : lease;
    }

    private byte[] encode(ObjectNode object) {
        try {
            return json.writeValueAsBytes(object);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode parse(byte[] value) {
        try {
            return (ObjectNode) json.readTree(value);
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("stored object is not a JSON object", e);
        }
    }

    /** An object to apply; its metadata names it. */
    public record Desired(Kind kind, ObjectNode object) {
    }

    /** What an apply did to one object. */
    public record Applied(Kind kind, String namespace, String name, Action action) {
        public enum Action { CREATED, CONFIGURED, UNCHANGED }
    }

    /** The outcome of {@link #applyAll}: every object's action and the revision the store is at afterwards. */
    public record ApplyResult(List<Applied> items, long revision) {
        public ApplyResult {
            items = List.copyOf(items);
        }
    }

    /** Objects read at one revision. */
    public record ObjectList(List<StoredObject> items, long revision) {
        public ObjectList {
            items = List.copyOf(items);
        }
    }
}
