package io.meshwork.control.store;

import java.util.Objects;

/**
 * One change seen by a watch.
 *
 * <p>For {@link Type#PUT} {@code kv} is the key as written. For {@link Type#DELETE} {@code kv} carries the
 * deletion's revision as {@code modRevision}, version 0, and the last value the key held (etcd's
 * {@code prev_kv}), so a watcher can tell what disappeared without a second read.
 */
public record WatchEvent(Type type, KeyValue kv) {

    public enum Type { PUT, DELETE }

    public WatchEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(kv, "kv");
    }

    public long revision() {
        return kv.modRevision();
    }

    /** True for the first write after the key was absent (Kubernetes' ADDED). */
    public boolean isCreate() {
        return type == Type.PUT && kv.version() == 1;
    }
}
