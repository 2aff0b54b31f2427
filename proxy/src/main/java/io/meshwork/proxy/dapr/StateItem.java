package io.meshwork.proxy.dapr;

/**
 * A stored value with its ETag.
 *
 * @param expiresAtMillis when it expires (epoch milliseconds), or 0 when it does not
 */
public record StateItem(byte[] value, String etag, long expiresAtMillis) {}
