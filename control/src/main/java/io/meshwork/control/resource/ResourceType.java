package io.meshwork.control.resource;

import io.meshwork.model.Kind;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A kind served at one API version, as named by a request path. Istio's versions of a kind share one schema, so
 * every version reads and writes the same stored objects; only the {@code apiVersion} written back differs.
 */
public record ResourceType(Kind kind, String version) {

    public ResourceType {
        Objects.requireNonNull(kind, "kind");
        if (!kind.versions().contains(version)) {
            throw new IllegalArgumentException("version: " + version + " (expected: one of " + kind.versions() + ")");
        }
    }

    /** The kind at its preferred (newest) version. */
    public static ResourceType preferred(Kind kind) {
        return new ResourceType(kind, kind.preferredVersion());
    }

    /** The type served at {@code /apis/{group}/{version}/{plural}} ({@code group} is "" for {@code /api/v1}). */
    public static Optional<ResourceType> find(String group, String version, String plural) {
        return Arrays.stream(Kind.values())
                .filter(k -> k.group().equals(group) && k.plural().equals(plural) && k.versions().contains(version))
                .findFirst()
                .map(k -> new ResourceType(k, version));
    }

    public String apiVersion() {
        return kind.apiVersion(version);
    }

    /** "VirtualServiceList". */
    public String listKind() {
        return kind.kindName() + "List";
    }

    /** "virtualservices.networking.istio.io", the name Kubernetes uses for the resource in messages. */
    public String qualifiedPlural() {
        return kind.group().isEmpty() ? kind.plural() : kind.plural() + "." + kind.group();
    }
}
