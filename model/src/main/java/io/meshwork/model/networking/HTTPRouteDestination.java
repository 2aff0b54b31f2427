package io.meshwork.model.networking;

/**
 * Istio HTTPRouteDestination.
 *
 * @param weight 0..100; null means 100 for a single destination (several must sum to 100)
 * @param headers header operations for requests sent to this destination, or null
 */
public record HTTPRouteDestination(Destination destination, Integer weight, Headers headers) {}
