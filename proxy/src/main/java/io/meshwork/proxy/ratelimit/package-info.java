/**
 * Rate limits (Meshwork RateLimitPolicy): token buckets per sidecar, per route match and per
 * caller, enforced as a request stage that answers 429 with the IETF RateLimit fields.
 */
package io.meshwork.proxy.ratelimit;
