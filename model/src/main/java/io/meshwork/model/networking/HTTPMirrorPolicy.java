package io.meshwork.model.networking;

/**
 * Istio HTTPMirrorPolicy, one entry of {@code mirrors}.
 *
 * @param percentage share of requests mirrored to {@code destination}; null means 100
 */
public record HTTPMirrorPolicy(Destination destination, Percent percentage) {}
