package io.meshwork.control.store;

import java.util.List;

/**
 * The keys under a prefix, read at one consistent revision.
 *
 * @param kvs      the keys in lexicographic order
 * @param revision the store's revision when read; a watch from it sees every later change
 */
public record RangeResult(List<KeyValue> kvs, long revision) {
    public RangeResult {
        kvs = List.copyOf(kvs);
    }
}
