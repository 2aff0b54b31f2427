package io.meshwork.model.networking;

import java.time.Duration;

/**
 * Istio OutlierDetection (passive health checking). Null fields take Istio's defaults: interval 10s,
 * baseEjectionTime 30s, maxEjectionPercent 10, minHealthPercent 0.
 *
 * @param consecutiveErrors deprecated by Istio; read as consecutive5xxErrors when that is absent
 */
public record OutlierDetection(
    Integer consecutiveErrors,
    Integer consecutive5xxErrors,
    Integer consecutiveGatewayErrors,
    Integer consecutiveLocalOriginFailures,
    Boolean splitExternalLocalOriginErrors,
    Duration interval,
    Duration baseEjectionTime,
    Integer maxEjectionPercent,
    Integer minHealthPercent) {}
