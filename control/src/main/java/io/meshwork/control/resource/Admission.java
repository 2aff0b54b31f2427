package io.meshwork.control.resource;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.Diagnostic;
import io.meshwork.model.Kind;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ParseOptions;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.model.codec.ResourceWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether an object may be stored: it must bind to the model's records and pass the model's validation
 * (the same {@link ResourceParser} that reads files, so the API and {@code --config} accept exactly the same
 * documents). What is stored is the model's canonical form, so unknown fields are dropped, as Kubernetes prunes
 * them, and every reader sees one spelling.
 */
public final class Admission {

    /** The source name diagnostics carry for a request body. */
    static final String SOURCE = "request body";

    public sealed interface Verdict permits Accepted, Rejected {
    }

    /** Admitted: {@code object} is what to store; {@code warnings} name ignored fields and the like. */
    public record Accepted(ObjectNode object, List<Diagnostic> warnings) implements Verdict {
        public Accepted {
            warnings = List.copyOf(warnings);
        }
    }

    /** Refused, with at least one error naming the field and what was expected. */
    public record Rejected(List<Diagnostic> errors) implements Verdict {
        public Rejected {
            errors = List.copyOf(errors);
            if (errors.isEmpty()) {
                throw new IllegalArgumentException("errors: [] (expected: at least one error)");
            }
        }
    }

    public Verdict review(Kind kind, ObjectNode object) {
        // A ".json" source name makes the parser read JSON, with line numbers that match the serialized tree.
        ParseResult result = ResourceParser.parse("request.json", object.toString());
        if (result.hasErrors()) {
            return new Rejected(result.errors().stream().map(Admission::relabel).toList());
        }
        if (result.resources().size() != 1 || result.resources().get(0).kind() != kind) {
            return new Rejected(List.of(Diagnostic.error(SOURCE, 0, 0, "kind",
                    object.path("kind").asText() + " (expected: one " + kind.kindName() + ")")));
        }
        return new Accepted(canonical(result.resources().get(0)),
                result.warnings().stream().map(Admission::relabel).toList());
    }

    /** The outcome of admitting a whole source: every object, or the errors that reject all of them. */
    public sealed interface SourceVerdict permits AcceptedSource, RejectedSource {
    }

    public record AcceptedSource(List<ResourceStore.Desired> objects, List<Diagnostic> warnings)
            implements SourceVerdict {
        public AcceptedSource {
            objects = List.copyOf(objects);
            warnings = List.copyOf(warnings);
        }
    }

    public record RejectedSource(List<Diagnostic> errors) implements SourceVerdict {
        public RejectedSource {
            errors = List.copyOf(errors);
            if (errors.isEmpty()) {
                throw new IllegalArgumentException("errors: [] (expected: at least one error)");
            }
        }
    }

    /**
     * Admits a whole configuration source (multi-document YAML, JSON, a List): all of it or none of it, as the
     * design requires of a file. Diagnostics name {@code sourceName}, line and field. The bytes must be UTF-8.
     */
    public SourceVerdict reviewSource(String sourceName, byte[] source) {
        ParseResult result = ResourceParser.parse(sourceName, source, ParseOptions.DEFAULTS);
        if (result.hasErrors()) {
            return new RejectedSource(result.errors());
        }
        // The parser keeps the later of two documents with one key, and warns; its resources are unique by key.
        List<ResourceStore.Desired> objects = new ArrayList<>(result.resources().size());
        for (Resource<?> r : result.resources()) {
            objects.add(new ResourceStore.Desired(r.kind(), canonical(r)));
        }
        return new AcceptedSource(objects, result.warnings());
    }

    /** The model's spelling of the object, without the fields the store owns. */
    private static ObjectNode canonical(Resource<?> resource) {
        ObjectNode node = ResourceWriter.toJsonNode(resource);
        if (node.get("metadata") instanceof ObjectNode meta) {
            if (!resource.kind().namespaced()) {
                // The model gives every object a namespace; a cluster-scoped one has none.
                meta.remove("namespace");
            }
            meta.remove("resourceVersion");
            meta.remove("generation");
        }
        return node;
    }

    private static Diagnostic relabel(Diagnostic d) {
        return new Diagnostic(d.severity(), SOURCE, d.line(), d.column(), d.field(), d.message());
    }
}
