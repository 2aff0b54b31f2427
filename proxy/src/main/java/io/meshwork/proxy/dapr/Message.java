package io.meshwork.proxy.dapr;

/**
 * One published message as a topic holds it.
 *
 * @param body a CloudEvent (JSON) or, when {@code raw}, the bytes the app published
 * @param contentType the body's content type
 * @param raw published with {@code metadata.rawPayload=true}: not a CloudEvent
 */
record Message(byte[] body, String contentType, boolean raw) {}
