package io.meshwork.model.networking;

import java.time.Duration;

/**
 * Istio LoadBalancerSettings: at most one of {@code simple} and {@code consistentHash}; both null
 * means Istio's default (LEAST_REQUEST).
 *
 * @param localityLbSetting or null
 * @param warmupDurationSecs slow-start window for new endpoints, or null
 */
public record LoadBalancerSettings(
    SimpleLB simple,
    ConsistentHashLB consistentHash,
    LocalityLoadBalancerSetting localityLbSetting,
    Duration warmupDurationSecs) {

  /** Istio LoadBalancerSettings.SimpleLB; LEAST_CONN is Istio's deprecated name of LEAST_REQUEST. */
  public enum SimpleLB {
    UNSPECIFIED,
    LEAST_CONN,
    RANDOM,
    PASSTHROUGH,
    ROUND_ROBIN,
    LEAST_REQUEST
  }
}
