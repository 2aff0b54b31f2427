package io.meshwork.model.networking;

/**
 * Istio TrafficPolicy.RetryBudget: concurrent retries to a destination bounded by a share of its
 * active requests (Envoy's circuit-breaker retry budget). Null fields take Istio's defaults.
 *
 * @param percent the share (0..100) of active and pending requests that may be retries; default 20
 * @param minRetryConcurrency retries allowed at once whatever the load; default 3
 */
public record RetryBudget(Double percent, Integer minRetryConcurrency) {}
