package io.meshwork.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.resource.Admission;
import io.meshwork.control.resource.ResourceStore;
import io.meshwork.control.resource.ResourceType;
import io.meshwork.control.resource.StoredObject;
import io.meshwork.control.resource.WriteOutcome;
import io.meshwork.model.Diagnostic;
import io.meshwork.model.Kind;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * List, get, create, replace and delete of one resource type, with Kubernetes' status codes: 201 on create,
 * 409 for an existing name or a stale resourceVersion, 422 with field causes for an invalid object, 404 for a
 * missing one.
 */
final class ResourceEndpoints {

    private final ResourceStore store;
    private final Admission admission;
    private final ObjectMapper json;

    ResourceEndpoints(ResourceStore store, Admission admission, ObjectMapper json) {
        this.store = store;
        this.admission = admission;
        this.json = json;
    }

    Reply list(ResourceType type, String namespace) {
        ResourceStore.ObjectList list = store.list(type.kind(), namespace);
        return Reply.ok(listBody(type.apiVersion(), type.listKind(), list, o -> present(type, o)));
    }

    /** Every object of every kind, each at the version it was written in. */
    Reply snapshot() {
        return Reply.ok(listBody(ApiRoute.MESHWORK_GROUP + "/" + ApiRoute.MESHWORK_VERSION, "SnapshotList",
                store.listAll(), o -> o));
    }

    Reply get(ResourceType type, String namespace, String name) {
        return store.get(type.kind(), namespace, name)
                .map(o -> Reply.ok(present(type, o.object())))
                .orElseGet(() -> Reply.of(notFound(type, name)));
    }

    Reply create(ResourceType type, String namespace, ObjectNode body) {
        ObjectNode object = normalize(type, namespace, null, body);
        Admission.Accepted accepted = admit(type, object);
        return switch (store.create(type.kind(), accepted.object(), ResourceStore.KEEP_LEASE)) {
            case WriteOutcome.Written w -> written(type, w, accepted.warnings());
            case WriteOutcome.AlreadyExists e -> Reply.of(new ApiStatus(409, "AlreadyExists",
                    type.qualifiedPlural() + " \"" + e.name() + "\" already exists", type.kind().kindName(),
                    e.name(), List.of()));
            case WriteOutcome.NotFound n -> Reply.of(notFound(type, n.name()));
            case WriteOutcome.Conflict c -> Reply.of(conflict(type, c));
        };
    }

    /** PUT: creates or replaces; a resourceVersion in the body must still be current. */
    Reply replace(ResourceType type, String namespace, String name, ObjectNode body) {
        long expected = revisionOf(body.path("metadata").path("resourceVersion"), "metadata.resourceVersion");
        ObjectNode object = normalize(type, namespace, name, body);
        Admission.Accepted accepted = admit(type, object);
        return switch (store.replace(type.kind(), accepted.object(), expected, ResourceStore.KEEP_LEASE)) {
            case WriteOutcome.Written w -> written(type, w, accepted.warnings());
            case WriteOutcome.Conflict c -> Reply.of(conflict(type, c));
            case WriteOutcome.NotFound n -> Reply.of(notFound(type, n.name()));
            case WriteOutcome.AlreadyExists e -> throw new IllegalStateException("replace cannot meet an existing object");
        };
    }

    /** DELETE, guarded by {@code ?resourceVersion=} or a DeleteOptions body's {@code preconditions.resourceVersion}. */
    Reply delete(ResourceType type, String namespace, String name, String queryRevision, JsonNode options) {
        long expected = revisionOf(options.path("preconditions").path("resourceVersion"),
                "preconditions.resourceVersion");
        if (queryRevision != null) {
            expected = revisionOf(json.getNodeFactory().textNode(queryRevision), "resourceVersion");
        }
        return switch (store.delete(type.kind(), namespace, name, expected)) {
            case WriteOutcome.Written w -> Reply.ok(new ApiStatus(200, "", type.qualifiedPlural() + " \"" + name
                    + "\" deleted at resourceVersion " + w.stored().revision(), type.kind().kindName(), name,
                    List.of()).toJson());
            case WriteOutcome.NotFound n -> Reply.of(notFound(type, name));
            case WriteOutcome.Conflict c -> Reply.of(conflict(type, c));
            case WriteOutcome.AlreadyExists e -> throw new IllegalStateException("delete cannot meet an existing object");
        };
    }

    /**
     * Applies a whole source atomically. 200 with {@code {kind: ApplyResult, metadata: {resourceVersion},
     * items: [{apiVersion, kind, namespace, name, action}]}}, or 422 whose causes carry each diagnostic formatted
     * with source, line and column. With {@code dryRun} (Kubernetes' {@code ?dryRun=All}) the answer is the same but
     * nothing is written.
     */
    Reply apply(String sourceName, byte[] source, boolean dryRun) {
        return switch (admission.reviewSource(sourceName, source)) {
            case Admission.RejectedSource r -> Reply.of(new ApiStatus(422, "Invalid", "nothing applied: "
                    + r.errors().size() + " error(s) in " + sourceName, null, null,
                    r.errors().stream().map(d -> new ApiStatus.Cause("FieldValueInvalid", d.field(), d.format()))
                            .toList()));
            case Admission.AcceptedSource a -> {
                ResourceStore.ApplyResult result = store.applyAll(a.objects(), dryRun);
                ObjectNode out = json.createObjectNode();
                out.put("apiVersion", ApiRoute.MESHWORK_GROUP + "/" + ApiRoute.MESHWORK_VERSION);
                out.put("kind", "ApplyResult");
                if (dryRun) {
                    out.put("dryRun", true);
                }
                out.putObject("metadata").put("resourceVersion", Long.toString(result.revision()));
                ArrayNode items = out.putArray("items");
                for (ResourceStore.Applied item : result.items()) {
                    ObjectNode o = items.addObject();
                    o.put("apiVersion", item.kind().preferredApiVersion());
                    o.put("kind", item.kind().kindName());
                    if (item.namespace() != null) {
                        o.put("namespace", item.namespace());
                    }
                    o.put("name", item.name());
                    o.put("action", item.action().name().toLowerCase(Locale.ROOT));
                }
                ArrayNode warnings = out.putArray("warnings");
                a.warnings().forEach(w -> warnings.add(w.format()));
                yield new Reply(HttpResponseStatus.OK, out, a.warnings().stream().map(ResourceEndpoints::warning)
                        .toList());
            }
        };
    }

    /** The object as served at {@code type}'s version (Istio's versions of a kind share one schema). */
    ObjectNode present(ResourceType type, ObjectNode object) {
        ObjectNode out = json.createObjectNode();
        out.put("apiVersion", type.apiVersion());
        out.put("kind", type.kind().kindName());
        out.setAll(object);
        out.put("apiVersion", type.apiVersion());
        return out;
    }

    private ObjectNode listBody(String apiVersion, String kind, ResourceStore.ObjectList list,
            UnaryOperator<ObjectNode> present) {
        ObjectNode out = json.createObjectNode();
        out.put("apiVersion", apiVersion);
        out.put("kind", kind);
        out.putObject("metadata").put("resourceVersion", Long.toString(list.revision()));
        ArrayNode items = out.putArray("items");
        for (StoredObject o : list.items()) {
            items.add(present.apply(o.object()));
        }
        return out;
    }

    private Reply written(ResourceType type, WriteOutcome.Written w, List<Diagnostic> warnings) {
        return new Reply(w.created() ? HttpResponseStatus.CREATED : HttpResponseStatus.OK,
                present(type, w.stored().object()), warnings.stream().map(ResourceEndpoints::warning).toList());
    }

    private static String warning(Diagnostic d) {
        return d.field().isEmpty() ? d.message() : d.field() + ": " + d.message();
    }

    private Admission.Accepted admit(ResourceType type, ObjectNode object) {
        return switch (admission.review(type.kind(), object)) {
            case Admission.Accepted a -> a;
            case Admission.Rejected r -> {
                String name = object.path("metadata").path("name").asText("");
                List<ApiStatus.Cause> causes = r.errors().stream()
                        .map(d -> new ApiStatus.Cause("FieldValueInvalid", d.field(), d.message()))
                        .toList();
                String summary = String.join(", ", r.errors().stream().map(ResourceEndpoints::warning).toList());
                throw new ApiException(new ApiStatus(422, "Invalid", type.kind().kindName() + "."
                        + type.kind().group() + " \"" + name + "\" is invalid: " + summary, type.kind().kindName(),
                        name, causes));
            }
        };
    }

    /**
     * Fills what the URL implies (apiVersion, kind, namespace, name) and rejects a body that contradicts it, as
     * Kubernetes does; drops the fields the store owns.
     */
    private ObjectNode normalize(ResourceType type, String namespace, String name, ObjectNode body) {
        ObjectNode object = body.deepCopy();
        Kind kind = type.kind();
        String apiVersion = object.path("apiVersion").asText("");
        if (apiVersion.isEmpty()) {
            object.put("apiVersion", type.apiVersion());
        } else if (Kind.of(apiVersion, kind.kindName()).filter(k -> k == kind).isEmpty()) {
            throw new ApiException(ApiStatus.badRequest("apiVersion: " + apiVersion + " (expected: "
                    + type.apiVersion() + " or another version of " + kind.group() + " serving " + kind.kindName() + ")"));
        }
        String kindName = object.path("kind").asText("");
        if (kindName.isEmpty()) {
            object.put("kind", kind.kindName());
        } else if (!kindName.equals(kind.kindName())) {
            throw new ApiException(ApiStatus.badRequest("kind: " + kindName + " (expected: " + kind.kindName()
                    + " as in the URL)"));
        }
        JsonNode meta = object.get("metadata");
        if (meta != null && !meta.isObject()) {
            throw new ApiException(ApiStatus.badRequest("metadata: " + meta.getNodeType() + " (expected: an object)"));
        }
        ObjectNode metadata = meta == null ? object.putObject("metadata") : (ObjectNode) meta;
        if (namespace != null) {
            String ns = metadata.path("namespace").asText("");
            if (ns.isEmpty()) {
                metadata.put("namespace", namespace);
            } else if (!ns.equals(namespace)) {
                throw new ApiException(ApiStatus.badRequest("metadata.namespace: " + ns + " (expected: " + namespace
                        + ", the namespace in the URL)"));
            }
        }
        if (name != null) {
            String n = metadata.path("name").asText("");
            if (n.isEmpty()) {
                metadata.put("name", name);
            } else if (!n.equals(name)) {
                throw new ApiException(ApiStatus.badRequest("metadata.name: " + n + " (expected: " + name
                        + ", the name in the URL)"));
            }
        }
        metadata.remove("resourceVersion");
        metadata.remove("generation");
        return object;
    }

    private static long revisionOf(JsonNode value, String field) {
        if (value.isMissingNode() || value.isNull() || value.asText().isEmpty()) {
            return 0;
        }
        try {
            long rv = Long.parseLong(value.asText());
            if (rv > 0) {
                return rv;
            }
        } catch (NumberFormatException ignored) {
            // Reported below with the value as given.
        }
        throw new ApiException(ApiStatus.badRequest(field + ": " + value.asText()
                + " (expected: a resourceVersion previously returned by this server)"));
    }

    private static ApiStatus notFound(ResourceType type, String name) {
        return new ApiStatus(404, "NotFound", type.qualifiedPlural() + " \"" + name + "\" not found",
                type.kind().kindName(), name, List.of());
    }

    private static ApiStatus conflict(ResourceType type, WriteOutcome.Conflict c) {
        String now = c.currentRevision() == 0 ? "it no longer exists" : "it is now at " + c.currentRevision();
        return new ApiStatus(409, "Conflict", "Operation cannot be fulfilled on " + type.qualifiedPlural() + " \""
                + c.name() + "\": the object has been modified; please apply your changes to the latest version and"
                + " try again (resourceVersion: " + c.expectedRevision() + ", " + now + ")",
                type.kind().kindName(), c.name(), List.of());
    }
}
