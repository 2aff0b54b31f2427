package io.meshwork.proxy.outlier;

import java.time.Duration;

/**
 * A cluster's outlier detection, compiled from Istio OutlierDetection with Istio's and Envoy's defaults.
 *
 * @param consecutive5xx 5xx responses in a row that eject an endpoint; 0 turns the check off (default 5)
 * @param consecutiveGateway 502/503/504 responses in a row that eject; 0 turns it off (the default)
 * @param interval Envoy's sweep interval: an ejection multiplier drops by one per interval in (default 10 s)
 * @param baseEjection the first ejection's length; the n-th lasts n times as long (default 30 s)
 * @param maxEjection the cap on an ejection's length (Envoy's max_ejection_time, 300 s)
 * @param maxEjectionPercent at most this share of the cluster is ejected, but always one endpoint (default 10)
 * @param minHealthPercent below this share of healthy endpoints the cluster balances over all of them
 *     (Istio maps it to Envoy's healthy panic threshold; default 0: never)
 */
public record OutlierPolicy(int consecutive5xx, int consecutiveGateway, Duration interval, Duration baseEjection,
    Duration maxEjection, int maxEjectionPercent, int minHealthPercent) {
  public static final Duration MAX_EJECTION = Duration.ofSeconds(300);

  public OutlierPolicy {
    if (consecutive5xx < 0) {
      throw new IllegalArgumentException("consecutive5xxErrors: " + consecutive5xx + " (expected: >= 0)");
    }
    if (consecutiveGateway < 0) {
      throw new IllegalArgumentException("consecutiveGatewayErrors: " + consecutiveGateway + " (expected: >= 0)");
    }
    positive("interval", interval);
    positive("baseEjectionTime", baseEjection);
    positive("maxEjectionTime", maxEjection);
    percent("maxEjectionPercent", maxEjectionPercent);
    percent("minHealthPercent", minHealthPercent);
  }

  private static void positive(String field, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(field + ": " + d + " (expected: > 0)");
    }
  }

  private static void percent(String field, int value) {
    if (value < 0 || value > 100) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: 0..100)");
    }
  }
}
