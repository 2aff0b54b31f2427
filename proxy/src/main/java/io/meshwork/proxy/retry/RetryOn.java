package io.meshwork.proxy.retry;

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

  boolean matchesResponse(int status, int grpcStatus, Set<Integer> retriableCodes) {
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
      case RESET, CONNECT_FAILURE, REFUSED_STREAM -> false;
    };
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
