package io.meshwork.model.networking;

/**
 * Istio LoadBalancerSettings.ConsistentHashLB: exactly one hash key ({@code httpHeaderName}, {@code
 * httpCookie}, {@code useSourceIp} or {@code httpQueryParameterName}) and at most one of {@code
 * ringHash} and {@code maglev} (ring hash when neither).
 *
 * @param minimumRingSize deprecated by Istio in favour of {@code ringHash.minimumRingSize}
 */
public record ConsistentHashLB(
    String httpHeaderName,
    HTTPCookie httpCookie,
    Boolean useSourceIp,
    String httpQueryParameterName,
    RingHash ringHash,
    MagLev maglev,
    Long minimumRingSize) {}
