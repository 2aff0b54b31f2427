package io.meshwork.proxy.retry;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Envoy's retry conditions, as named in Istio's {@code retryOn} (router filter, x-envoy-retry-on and x-envoy-retry-grpc-on). */
public enum RetryOn {
  FIVE_XX("5xx"),
  GATEWAY_ERROR("gateway-error"),
  RESET("reset"),
  CONNECT_FAILURE("connect-failure"),
  REFUSED_STREAM("refused-stream"),
  RETRIABLE_4XX("retriable-4xx"),
  RETRIABLE_STATUS_CODES("retriable-status-codes"),
  /** The response carries a header named in the request's {@code x-envoy-retriable-header-names}. */
  RETRIABLE_HEADERS("retriable-headers"),
  /** The response carries {@code x-envoy-ratelimited} (a rate limiter upstream refused the request). */
  ENVOY_RATELIMITED("envoy-ratelimited"),
  // gRPC conditions read the grpc-status of the response (x-envoy-retry-grpc-on).
  CANCELLED("cancelled"),
  DEADLINE_EXCEEDED("deadline-exceeded"),
  INTERNAL("internal"),
  RESOURCE_EXHAUSTED("resource-exhausted"),
  UNAVAILABLE("unavailable");

  private final String wireName;

  RetryOn(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<RetryOn> parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (RetryOn on : values()) {
      if (on.wireName.equals(n)) {
        return Optional.of(on);
      }
    }
    return Optional.empty();
  }

  /** The request header that names the response headers retried under {@code retriable-headers} (Envoy router). */
  public static final String RETRIABLE_HEADER_NAMES = "x-envoy-retriable-header-names";
  /** Set by Envoy's rate-limit filters on the 429 they answer; retried under {@code envoy-ratelimited}. */
  public static final String RATELIMITED = "x-envoy-ratelimited";

  boolean matchesResponse(int status, int grpcStatus, Set<Integer> retriableCodes, HttpHeaders response,
      HttpHeaders request) {
    return switch (this) {
      case FIVE_XX -> status >= 500;
      case GATEWAY_ERROR -> status == 502 || status == 503 || status == 504;
      case RETRIABLE_4XX -> status == 409;
      case RETRIABLE_STATUS_CODES -> retriableCodes.contains(status);
      case CANCELLED -> grpcStatus == 1;
      case DEADLINE_EXCEEDED -> grpcStatus == 4;
      case RESOURCE_EXHAUSTED -> grpcStatus == 8;
      case INTERNAL -> grpcStatus == 13;
      case UNAVAILABLE -> grpcStatus == 14;
      case RETRIABLE_HEADERS -> hasNamedHeader(response, request);
      case ENVOY_RATELIMITED -> response.contains(RATELIMITED);
      case RESET, CONNECT_FAILURE, REFUSED_STREAM -> false;
    };
  }

  /**
   * Whether the response carries one of the headers the request names, comma-separated, in
   * {@code x-envoy-retriable-header-names} (Envoy matches on presence, names case-insensitive).
   * Istio's API has no route-level list of retriable headers, so the request's list is the only one.
   */
  private static boolean hasNamedHeader(HttpHeaders response, HttpHeaders request) {
    for (String names : request.getAll(RETRIABLE_HEADER_NAMES)) {
      int start = 0;
      while (start <= names.length()) {
        int comma = names.indexOf(',', start);
        int end = comma < 0 ? names.length() : comma;
        String name = names.substring(start, end).trim();
        if (!name.isEmpty() && response.contains(name)) {
          return true;
        }
        start = end + 1;
      }
    }
    return false;
  }

  boolean matchesFailure(AttemptFailure failure) {
    return switch (this) {
      // Envoy: 5xx and gateway-error also cover connect failures, resets and per-try timeouts.
      case FIVE_XX, GATEWAY_ERROR -> true;
      case RESET -> failure == AttemptFailure.RESET || failure == AttemptFailure.PER_TRY_TIMEOUT;
      case CONNECT_FAILURE -> failure == AttemptFailure.CONNECT_FAILURE;
      case REFUSED_STREAM -> failure == AttemptFailure.REFUSED_STREAM;
      default -> false;
    };
  }
}
