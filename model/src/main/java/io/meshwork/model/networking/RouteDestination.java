package io.meshwork.model.networking;

/** Istio RouteDestination of TCP and TLS routes; weight as in {@link HTTPRouteDestination}. */
public record RouteDestination(Destination destination, Integer weight) {}
