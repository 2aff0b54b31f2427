package io.meshwork.proxy.cors;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.route.CorsRules;
import io.meshwork.proxy.route.StringMatcher;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorsRulesTest {
  static final CorsRules SHOP = CorsRules.of(List.of(StringMatcher.exact("https://shop.example"),
      StringMatcher.regex("https://.*[.]partner[.]example")), List.of("GET", "PUT"), List.of("x-token"),
      List.of("x-total", "x-page"), Duration.ofHours(1), true);

  @Test
  void originsMatchByTheirMatchersAndAnEntryMatchingTheWildcardAllowsAll() {
    assertThat(SHOP.allows("https://shop.example")).isTrue();
    assertThat(SHOP.allows("https://a.partner.example")).isTrue();
    assertThat(SHOP.allows("https://shop.example.evil")).isFalse();
    assertThat(SHOP.allows(null)).isFalse();
    CorsRules any = CorsRules.of(List.of(StringMatcher.exact("*")), List.of(), List.of(), List.of(), null, null);
    assertThat(any.allows("https://anything.example")).isTrue();
    CorsRules none = CorsRules.of(List.of(), List.of(), List.of(), List.of(), null, null);
    assertThat(none.allows("https://shop.example")).isFalse();
  }

  @Test
  void aPreflightIsOptionsWithAnOriginAndARequestedMethod() {
    HttpHeaders h = new DefaultHttpHeaders().set("origin", "https://shop.example");
    assertThat(CorsRules.isPreflight("OPTIONS", h)).isFalse();
    h.set("access-control-request-method", "PUT");
    assertThat(CorsRules.isPreflight("OPTIONS", h)).isTrue();
    assertThat(CorsRules.isPreflight("GET", h)).isFalse();
  }

  @Test
  void preflightAnswersCarryThePolicyAndResponsesTheOriginAndExposedHeaders() {
    assertThat(SHOP.preflightHeaders("https://shop.example")).containsExactly(
        java.util.Map.entry("access-control-allow-origin", "https://shop.example"),
        java.util.Map.entry("access-control-allow-credentials", "true"),
        java.util.Map.entry("access-control-allow-methods", "GET, PUT"),
        java.util.Map.entry("access-control-allow-headers", "x-token"),
        java.util.Map.entry("access-control-max-age", "3600"));

    HttpHeaders response = new DefaultHttpHeaders().set("access-control-allow-origin", "*");
    SHOP.decorate(new DefaultHttpHeaders().set("origin", "https://b.partner.example"), response);
    assertThat(response.get("access-control-allow-origin")).isEqualTo("https://b.partner.example");
    assertThat(response.get("access-control-expose-headers")).isEqualTo("x-total, x-page");
    assertThat(response.get("access-control-allow-credentials")).isEqualTo("true");

    HttpHeaders untouched = new DefaultHttpHeaders();
    SHOP.decorate(new DefaultHttpHeaders().set("origin", "https://evil.example"), untouched);
    assertThat(untouched.isEmpty()).isTrue();
  }
}
