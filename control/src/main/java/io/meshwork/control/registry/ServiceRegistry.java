package io.meshwork.control.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.resource.Admission;
import io.meshwork.control.resource.ResourceStore;
import io.meshwork.control.resource.ResourceType;
import io.meshwork.control.resource.StoredObject;
import io.meshwork.control.resource.WriteOutcome;
import io.meshwork.control.store.KeyValue;
import io.meshwork.control.store.KeyValueStore;
import io.meshwork.control.store.Lease;
import io.meshwork.control.store.LeaseNotFoundException;
import io.meshwork.model.Diagnostic;
import io.meshwork.model.Kind;
import java.util.Map;
import java.util.Optional;

/**
 * Registers workloads as Istio WorkloadEntries attached to a lease: the entry lives while the workload renews
 * the lease and is deleted (one DELETE event to every watching sidecar) when it stops.
 */
public final class ServiceRegistry {

    /** Annotation naming the service a registered entry belongs to. */
    public static final String SERVICE_ANNOTATION = "meshwork.io/registered-service";

    private static final ResourceType WORKLOAD_ENTRY = ResourceType.preferred(Kind.WORKLOAD_ENTRY);

    private final ResourceStore store;
    private final Admission admission;
    private final ObjectMapper json;

    public ServiceRegistry(ResourceStore store, Admission admission, ObjectMapper json) {
        this.store = store;
        this.admission = admission;
        this.json = json;
    }

    /**
     * Creates or updates the workload's entry under a fresh lease; the entry's previous lease, if any, is revoked.
     *
     * @throws InvalidRegistrationException if the entry would not be a valid WorkloadEntry
     */
    public Registered register(String namespace, Registration registration) {
        ObjectNode entry = switch (admission.review(Kind.WORKLOAD_ENTRY, workloadEntry(namespace, registration))) {
            case Admission.Accepted a -> a.object();
            case Admission.Rejected r -> {
                Diagnostic first = r.errors().get(0);
                throw new InvalidRegistrationException(first.field(), first.message());
            }
        };
        KeyValueStore kv = store.keyValueStore();
        String name = registration.entryName();
        long previousLease = store.get(Kind.WORKLOAD_ENTRY, namespace, name).map(StoredObject::lease)
                .orElse(KeyValue.NO_LEASE);
        Lease lease = kv.grant(registration.ttlSeconds());
        WriteOutcome outcome;
        try {
            outcome = store.replace(Kind.WORKLOAD_ENTRY, entry, 0, lease.id());
        } catch (RuntimeException e) {
            kv.revoke(lease.id());
            throw e;
        }
        if (!(outcome instanceof WriteOutcome.Written written)) {
            kv.revoke(lease.id());
            throw new IllegalStateException("unconditional replace of " + name + " reported " + outcome);
        }
        if (previousLease != KeyValue.NO_LEASE && previousLease != lease.id()) {
            try {
                // The entry now belongs to the new lease, so this deletes nothing; it only frees the old lease.
                kv.revoke(previousLease);
            } catch (LeaseNotFoundException alreadyGone) {
                // Expired between the read and now: nothing to free.
            }
        }
        return new Registered(namespace, name, lease.id(), lease.ttlSeconds(), written.stored().revision());
    }

    /** Renews the registration's lease; empty if there is no such registration or its lease already lapsed. */
    public Optional<Registered> keepAlive(String namespace, String name) {
        Optional<StoredObject> entry = store.get(Kind.WORKLOAD_ENTRY, namespace, name);
        if (entry.isEmpty() || entry.get().lease() == KeyValue.NO_LEASE) {
            return Optional.empty();
        }
        try {
            Lease lease = store.keyValueStore().keepAlive(entry.get().lease());
            return Optional.of(new Registered(namespace, name, lease.id(), lease.ttlSeconds(), entry.get().revision()));
        } catch (LeaseNotFoundException expired) {
            return Optional.empty();
        }
    }

    /** Deletes the registration at once; false if there was none. */
    public boolean deregister(String namespace, String name) {
        Optional<StoredObject> entry = store.get(Kind.WORKLOAD_ENTRY, namespace, name);
        if (entry.isEmpty()) {
            return false;
        }
        long lease = entry.get().lease();
        if (lease != KeyValue.NO_LEASE) {
            try {
                return store.keyValueStore().revoke(lease) > 0;
            } catch (LeaseNotFoundException expired) {
                // Fall through: the entry is being removed by expiry, or was re-registered without a lease.
            }
        }
        return store.delete(Kind.WORKLOAD_ENTRY, namespace, name, 0) instanceof WriteOutcome.Written;
    }

    private ObjectNode workloadEntry(String namespace, Registration r) {
        ObjectNode we = json.createObjectNode();
        we.put("apiVersion", WORKLOAD_ENTRY.apiVersion());
        we.put("kind", Kind.WORKLOAD_ENTRY.kindName());
        ObjectNode meta = we.putObject("metadata");
        meta.put("name", r.entryName());
        meta.put("namespace", namespace);
        ObjectNode metaLabels = meta.putObject("labels");
        r.effectiveLabels().forEach(metaLabels::put);
        meta.putObject("annotations").put(SERVICE_ANNOTATION, r.service());
        ObjectNode spec = we.putObject("spec");
        spec.put("address", r.address());
        ObjectNode ports = spec.putObject("ports");
        r.ports().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(p -> ports.put(p.getKey(), p.getValue()));
        ObjectNode labels = spec.putObject("labels");
        r.effectiveLabels().forEach(labels::put);
        // Identity follows the design's default: the service account is the service's name.
        spec.put("serviceAccount", r.service());
        return we;
    }
}
