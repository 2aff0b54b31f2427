package io.meshwork.model.networking;

import java.time.Duration;

/**
 * Istio HTTPRetry.
 *
 * @param attempts retries after the first try, >= 0; 0 disables retries
 * @param perTryTimeout null means the route's timeout
 * @param retryOn comma-separated Envoy retry conditions or status codes, e.g. "5xx,connect-failure";
 *     null means Istio's default "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"
 * @param retryRemoteLocalities null means false
 */
public record HTTPRetry(Integer attempts, Duration perTryTimeout, String retryOn, Boolean retryRemoteLocalities) {}
