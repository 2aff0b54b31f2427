package io.meshwork.model.networking;

/**
 * Istio Destination.
 *
 * @param host required; a service name, short or fully qualified
 * @param subset a subset named in the host's DestinationRule, or null
 * @param port required only when the service has several ports, else null
 */
public record Destination(String host, String subset, PortSelector port) {}
