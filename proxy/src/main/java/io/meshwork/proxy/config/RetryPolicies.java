package io.meshwork.proxy.config;

import io.meshwork.model.networking.HTTPRetry;
import io.meshwork.proxy.retry.RetryOn;
import io.meshwork.proxy.retry.RetryPolicy;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** Istio HTTPRetry to {@link RetryPolicy}, with Istio's defaults. */
final class RetryPolicies {
  /** Istio retries twice when a route sets no {@code retries}. */
  static final int DEFAULT_ATTEMPTS = 2;
  static final Duration MAX_INTERVAL = Duration.ofMillis(250);
  /** Istio's default retryOn for HTTP routes. */
  static final String DEFAULT_RETRY_ON = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

  static final RetryPolicy ISTIO_DEFAULT = new RetryPolicy(DEFAULT_ATTEMPTS, Duration.ZERO,
      EnumSet.of(RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM, RetryOn.UNAVAILABLE, RetryOn.CANCELLED,
          RetryOn.RETRIABLE_STATUS_CODES),
      Set.of(503), RetryPolicy.DEFAULT_BASE_INTERVAL, MAX_INTERVAL);

  private RetryPolicies() {}

  /**
   * @param unsupported receives each retryOn entry we cannot honour (e.g. reset-before-request)
   */
  static RetryPolicy of(HTTPRetry retry, Consumer<String> unsupported) {
    if (retry == null) {
      return ISTIO_DEFAULT;
    }
    int attempts = retry.attempts() == null ? DEFAULT_ATTEMPTS : retry.attempts();
    if (attempts <= 0) {
      return RetryPolicy.NONE;
    }
    Duration perTry = retry.perTryTimeout() == null ? Duration.ZERO : retry.perTryTimeout();
    String retryOn = retry.retryOn() == null || retry.retryOn().isBlank() ? DEFAULT_RETRY_ON : retry.retryOn();
    Set<RetryOn> conditions = EnumSet.noneOf(RetryOn.class);
    Set<Integer> codes = new LinkedHashSet<>();
    for (String entry : List.of(retryOn.split(","))) {
      String e = entry.trim();
      if (e.isEmpty()) {
        continue;
      }
      if (e.length() <= 3 && e.chars().allMatch(Character::isDigit)) {
        // Istio: a status code in retryOn implies retriable-status-codes.
        codes.add(Integer.parseInt(e));
        conditions.add(RetryOn.RETRIABLE_STATUS_CODES);
        continue;
      }
      RetryOn.parse(e).ifPresentOrElse(conditions::add, () -> unsupported.accept(e));
    }
    if (retry.retryOn() == null && codes.isEmpty()) {
      codes.add(503);
    }
    return new RetryPolicy(attempts, perTry, conditions, codes, RetryPolicy.DEFAULT_BASE_INTERVAL, MAX_INTERVAL);
  }
}
