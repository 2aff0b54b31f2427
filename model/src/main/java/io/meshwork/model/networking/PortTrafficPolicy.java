package io.meshwork.model.networking;

/** Istio TrafficPolicy.PortTrafficPolicy: overrides for one destination port. */
public record PortTrafficPolicy(
    PortSelector port,
    LoadBalancerSettings loadBalancer,
    ConnectionPoolSettings connectionPool,
    OutlierDetection outlierDetection,
    ClientTLSSettings tls) {}
