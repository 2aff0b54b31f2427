package io.meshwork.model.networking;

/** Istio ConsistentHashLB.MagLev; {@code tableSize} must be prime, null means 65537. */
public record MagLev(Long tableSize) {}
