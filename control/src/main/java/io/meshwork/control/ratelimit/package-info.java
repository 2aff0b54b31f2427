/**
 * The counters of GLOBAL rate limits: fixed windows that sidecars lease tokens from, kept in the control plane's
 * memory or, for several control-plane replicas, in Redis.
 */
package io.meshwork.control.ratelimit;
