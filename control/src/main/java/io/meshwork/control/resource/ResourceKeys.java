package io.meshwork.control.resource;

import io.meshwork.model.Kind;

/**
 * Where objects live in the key-value store: {@code /registry/{group}/{Kind}/{namespace}/{name}}, the core group
 * spelled "core" and cluster-scoped kinds without a namespace segment. Versions are not part of the key: every
 * version of a kind shares its objects.
 */
public final class ResourceKeys {

    /** The prefix of every object, for watches over all kinds. */
    public static final String ALL = "/registry/";

    private ResourceKeys() {
    }

    public static String key(Kind kind, String namespace, String name) {
        return kind.namespaced() ? prefix(kind, namespace) + name : kindPrefix(kind) + name;
    }

    /** The prefix of one namespace's objects of {@code kind}, or of all of them when {@code namespace} is null. */
    public static String prefix(Kind kind, String namespace) {
        return namespace == null || !kind.namespaced() ? kindPrefix(kind) : kindPrefix(kind) + namespace + "/";
    }

    private static String kindPrefix(Kind kind) {
        return ALL + (kind.group().isEmpty() ? "core" : kind.group()) + "/" + kind.kindName() + "/";
    }
}
