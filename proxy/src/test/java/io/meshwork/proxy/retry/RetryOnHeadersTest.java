package io.meshwork.proxy.retry;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The retry conditions that read headers: retriable-headers and envoy-ratelimited (Envoy router semantics). */
class RetryOnHeadersTest {
  private static RetryPolicy policy(RetryOn... on) {
    return new RetryPolicy(2, Duration.ZERO, Set.of(on), Set.of(), Duration.ofMillis(5), Duration.ofMillis(20));
  }

  private static HttpHeaders headers(String... nameValues) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < nameValues.length; i += 2) {
      h.add(nameValues[i], nameValues[i + 1]);
    }
    return h;
  }

  @Test
  void retriableHeadersRetriesWhenTheResponseCarriesANamedHeader() {
    RetryPolicy p = policy(RetryOn.RETRIABLE_HEADERS);
    HttpHeaders request = headers("x-envoy-retriable-header-names", "x-upstream-busy, X-Try-Again");
    assertThat(p.retriableResponse(200, -1, headers("x-try-again", "1"), request)).isTrue();
    assertThat(p.retriableResponse(200, -1, headers("x-upstream-busy", ""), request)).isTrue();
    assertThat(p.retriableResponse(503, -1, headers("x-other", "1"), request)).isFalse();
  }

  @Test
  void retriableHeadersWithoutNamesNeverRetries() {
    RetryPolicy p = policy(RetryOn.RETRIABLE_HEADERS);
    assertThat(p.retriableResponse(503, -1, headers("x-try-again", "1"), headers())).isFalse();
    assertThat(p.retriableResponse(503, -1, headers("x-try-again", "1"),
        headers("x-envoy-retriable-header-names", ",,"))).isFalse();
  }

  @Test
  void namesMayComeInSeveralRequestHeaders() {
    RetryPolicy p = policy(RetryOn.RETRIABLE_HEADERS);
    HttpHeaders request = headers("x-envoy-retriable-header-names", "a", "x-envoy-retriable-header-names", "b");
    assertThat(p.retriableResponse(200, -1, headers("b", "1"), request)).isTrue();
  }

  @Test
  void envoyRateLimitedRetriesOnlyMarkedResponses() {
    RetryPolicy p = policy(RetryOn.ENVOY_RATELIMITED);
    assertThat(p.retriableResponse(429, -1, headers("x-envoy-ratelimited", "true"), headers())).isTrue();
    assertThat(p.retriableResponse(429, -1, headers(), headers())).isFalse();
    // Without headers to read (the status-only overload) neither condition matches.
    assertThat(p.retriableResponse(429, -1)).isFalse();
  }

  @Test
  void headerConditionsAreNotFailureConditions() {
    RetryPolicy p = policy(RetryOn.RETRIABLE_HEADERS, RetryOn.ENVOY_RATELIMITED);
    for (AttemptFailure f : AttemptFailure.values()) {
      assertThat(p.retriableFailure(f)).isFalse();
    }
  }

  @Test
  void istioNamesParse() {
    assertThat(RetryOn.parse("retriable-headers")).contains(RetryOn.RETRIABLE_HEADERS);
    assertThat(RetryOn.parse(" Envoy-RateLimited ")).contains(RetryOn.ENVOY_RATELIMITED);
  }
}
