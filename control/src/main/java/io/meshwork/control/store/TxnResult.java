package io.meshwork.control.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The outcome of a {@link KeyValueStore#txn transaction}.
 *
 * @param succeeded whether every compare held (so the success branch ran)
 * @param revision  the store's revision after the transaction; the revision of its writes if it wrote anything
 * @param previous  for each op of the branch that ran, the key's state before it ({@code null} if absent)
 */
public record TxnResult(boolean succeeded, long revision, List<KeyValue> previous) {
    public TxnResult {
        // Not List.copyOf: an absent key's entry is null.
        previous = Collections.unmodifiableList(new ArrayList<>(previous));
    }
}
