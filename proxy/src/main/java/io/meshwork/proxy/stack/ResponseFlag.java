package io.meshwork.proxy.stack;

/** Envoy's response flags, as its access logs print them: why a response is what it is. */
public enum ResponseFlag {
  /** No healthy upstream endpoint. */
  UH,
  /** Upstream connection failure. */
  UF,
  /** Upstream request timeout. */
  UT,
  /** Upstream overflow: a circuit breaker refused the request, or its retry (maxRetries). */
  UO,
  /** No route for the request. */
  NR,
  /** The request was delayed by fault injection. */
  DI,
  /** The request was aborted by fault injection. */
  FI,
  /** Upstream retry limit exceeded: the response was retriable, the route's retry attempts were used up. */
  URX,
  /** The request was refused by a rate limit (Meshwork RateLimitPolicy). */
  RL,
  /** A GLOBAL rate limit's counters could not be reached and its failureMode is DENY (Envoy's rate-limit service error). */
  RLSE,
  /** The downstream went away before the response completed. */
  DC
}
