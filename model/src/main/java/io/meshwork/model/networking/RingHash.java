package io.meshwork.model.networking;

/** Istio ConsistentHashLB.RingHash; {@code minimumRingSize} null means 1024. */
public record RingHash(Long minimumRingSize) {}
