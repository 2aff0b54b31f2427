/** A revisioned key-value store with etcd's semantics (revisions, compare-and-set, prefix watches, leases). */
package io.meshwork.control.store;
