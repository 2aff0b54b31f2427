package io.meshwork.control.resource;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An object as read from the store: its JSON with {@code metadata.resourceVersion} set to the key's modRevision.
 *
 * @param object     the object; callers may modify it, it is a private copy
 * @param revision   the modRevision of the object (equal to its resourceVersion)
 * @param lease      the lease the object is attached to, or 0
 */
public record StoredObject(ObjectNode object, long revision, long lease) {

    public String name() {
        return object.path("metadata").path("name").asText();
    }

    public String namespace() {
        return object.path("metadata").path("namespace").asText();
    }
}
