package io.meshwork.model.networking;

/**
 * Istio HTTPRedirect. Fields left null keep the request's value.
 *
 * @param derivePort FROM_PROTOCOL_DEFAULT or FROM_REQUEST_PORT, exclusive with {@code port}
 * @param redirectCode null means 301
 */
public record HTTPRedirect(
    String uri, String authority, Integer port, String derivePort, String scheme, Integer redirectCode) {}
