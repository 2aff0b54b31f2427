/** Retry policy (Istio HTTPRetry with Envoy's retry-on conditions) and the backoff between attempts. */
package io.meshwork.proxy.retry;
