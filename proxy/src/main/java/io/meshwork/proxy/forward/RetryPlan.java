package io.meshwork.proxy.forward;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.retry.AttemptFailure;
import io.meshwork.proxy.retry.Backoff;
import io.meshwork.proxy.retry.RetryPolicy;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The router's plan for one request's attempts: the route's retry policy, the retries made, the
 * endpoints tried, the request's hash key, and the decisions whether a failed attempt is tried
 * again. Confined to the request's event loop.
 */
final class RetryPlan {
  private final RetryPolicy retries;
  private final long hash;
  private final boolean hasHash;
  private int retriesDone;
  private Set<Endpoint> tried;
  private boolean staleConnectionRetried;

  RetryPlan(RetryPolicy retries, long hash) {
    this.retries = retries == null ? RetryPolicy.NONE : retries;
    this.hash = hash;
    this.hasHash = hash != HashPolicy.NO_HASH;
  }

  /** Picks the next attempt's endpoint, away from the ones tried before; null when the cluster has none. */
  Endpoint pick(Cluster cluster) {
    Endpoint endpoint = cluster.pick(hash, hasHash, tried == null ? Set.of() : tried);
    if (endpoint != null && retries.attempts() > 0) {
      if (tried == null) {
        tried = new HashSet<>(4);
      }
      tried.add(endpoint);
    }
    return endpoint;
  }

  /** The per-try timeout, or null for none. */
  Duration perTryTimeout() {
    Duration perTry = retries.perTryTimeout();
    return perTry != null && !perTry.isZero() && !perTry.isNegative() ? perTry : null;
  }

  /** Whether this router numbers attempts in x-envoy-attempt-count (it retries). */
  boolean numbersAttempts() {
    return retries.attempts() > 0;
  }

  /** The number of the attempt about to start, from 1. */
  int attemptNumber() {
    return retriesDone + 1;
  }

  /**
   * Whether a reset on a reused connection is tried once more, outside the retry policy: the
   * upstream most likely closed a kept-alive connection as it was reused, and an idempotent
   * request may be sent again on a fresh one (RFC 9110 §9.2.2, RFC 9112 §9.3.1). Counts the try.
   */
  boolean staleConnectionRetry(AttemptFailure failure, boolean reused, boolean replayable, boolean websocket,
      HttpMethod method) {
    if (failure == AttemptFailure.RESET && reused && !staleConnectionRetried && replayable && !websocket
        && isIdempotent(method)) {
      staleConnectionRetried = true;
      return true;
    }
    return false;
  }

  /** What the policy makes of a failed attempt. */
  enum Decision {
    /** Not a retriable outcome: it is final. */
    FINAL,
    /** Retriable, and a retry is left: try again once a retry slot is had. */
    RETRY,
    /** Retriable, but the route's retries are used up: final, flagged URX as in Envoy. */
    EXHAUSTED
  }

  /** Whether the policy retries this failure of this request. */
  Decision onFailure(AttemptFailure failure, boolean replayable, boolean websocket, HttpMethod method) {
    if (retries.attempts() == 0 || !replayable || websocket || !retries.retriableFailure(failure)
        || !(isIdempotent(method) || neverReceived(failure))) {
      return Decision.FINAL;
    }
    return retriesLeft() ? Decision.RETRY : Decision.EXHAUSTED;
  }

  /** Whether the policy retries this response (its headers and the request's read by header conditions). */
  Decision onResponse(int status, int grpcStatus, HttpHeaders response, HttpHeaders request, boolean replayable,
      boolean websocket) {
    // A route without retries reads nothing: no policy loop on its hot path.
    if (retries.attempts() == 0 || !replayable || websocket
        || !retries.retriableResponse(status, grpcStatus, response, request)) {
      return Decision.FINAL;
    }
    return retriesLeft() ? Decision.RETRY : Decision.EXHAUSTED;
  }

  /** Counts a retry and returns the backoff before it. */
  long nextBackoffNanos(double random) {
    retriesDone++;
    return Backoff.of(retries).delayNanos(retriesDone, random);
  }

  private boolean retriesLeft() {
    return retriesDone < retries.attempts();
  }

  /**
   * Whether the upstream provably never saw the request: no connection, or an HTTP/2 stream it
   * refused (REFUSED_STREAM, or above a GOAWAY's last stream id, RFC 9113 §8.7). After a reset or a
   * per-try timeout it may have acted on it, so only idempotent requests are sent again
   * (RFC 9110 §9.2.2): a POST is never executed twice because of the proxy.
   */
  private static boolean neverReceived(AttemptFailure failure) {
    return failure == AttemptFailure.CONNECT_FAILURE || failure == AttemptFailure.REFUSED_STREAM;
  }

  private static boolean isIdempotent(HttpMethod method) {
    return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.PUT.equals(method)
        || HttpMethod.DELETE.equals(method) || HttpMethod.OPTIONS.equals(method) || HttpMethod.TRACE.equals(method);
  }
}
