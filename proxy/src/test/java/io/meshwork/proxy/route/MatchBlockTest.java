package io.meshwork.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class MatchBlockTest {

  private static HttpRequest get(String uri) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    r.headers().set("host", "orders.shop:8080");
    return r;
  }

  private static MatchBlock uri(UriCondition uri) {
    return new MatchBlock("", uri, null, null, null, List.of(), List.of(), 0);
  }

  private static MatchBlock headers(HeaderCondition... conditions) {
    return new MatchBlock("", null, null, null, null, List.of(conditions), List.of(), 0);
  }

  private static String path(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  private static String match(MatchBlock block, HttpRequest request) {
    return block.match(request, path(request.uri()));
  }

  @Test
  void uriExactMatchesTheWholePathAndReportsIt() {
    MatchBlock b = uri(UriCondition.of(StringMatcher.exact("/api/v1"), false));
    assertThat(match(b, get("/api/v1?x=1"))).isEqualTo("/api/v1");
    assertThat(match(b, get("/api/v1/"))).isNull();
    assertThat(match(b, get("/API/v1"))).isNull();
  }

  @Test
  void uriPrefixReportsTheMatchedPrefix() {
    MatchBlock b = uri(UriCondition.of(StringMatcher.prefix("/api"), false));
    assertThat(match(b, get("/api/orders"))).isEqualTo("/api");
    assertThat(match(b, get("/ap"))).isNull();
  }

  @Test
  void uriRegexIsAFullMatch() {
    MatchBlock b = uri(UriCondition.of(StringMatcher.regex("/orders/[0-9]+"), false));
    assertThat(match(b, get("/orders/42"))).isEqualTo("/orders/42");
    assertThat(match(b, get("/orders/42/items"))).isNull();
    assertThat(match(b, get("/x/orders/42"))).isNull();
  }

  @Test
  void ignoreUriCaseAppliesToEveryUriKindAndKeepsTheRequestSpelling() {
    assertThat(match(uri(UriCondition.of(StringMatcher.exact("/Api"), true)), get("/aPI"))).isEqualTo("/aPI");
    assertThat(match(uri(UriCondition.of(StringMatcher.prefix("/api"), true)), get("/API/x"))).isEqualTo("/API");
    assertThat(match(uri(UriCondition.of(StringMatcher.regex("/api/[a-z]+"), true)), get("/API/XY"))).isEqualTo("/API/XY");
  }

  @Test
  void noUriConditionReportsTheImplicitRootPrefix() {
    assertThat(match(MatchBlock.ANY, get("/anything"))).isEqualTo("/");
  }

  @Test
  void methodSchemeAuthorityAndPort() {
    MatchBlock b = new MatchBlock("m", null, StringMatcher.exact("http"), StringMatcher.exact("GET"),
        StringMatcher.prefix("orders"), List.of(), List.of(), 8080);
    assertThat(match(b, get("/"))).isEqualTo("/");
    HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
    post.headers().set("host", "orders.shop:8080");
    assertThat(match(b, post)).isNull();
    HttpRequest otherPort = get("/");
    otherPort.headers().set("host", "orders.shop:9090");
    assertThat(match(b, otherPort)).isNull();
    HttpRequest defaultPort = get("/");
    defaultPort.headers().set("host", "orders.shop");
    assertThat(match(new MatchBlock("", null, null, null, null, List.of(), List.of(), 80), defaultPort)).isEqualTo("/");
  }

  @Test
  void authorityFallsBackToTheAbsoluteFormTarget() {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://payments.shop:81/pay?x");
    MatchBlock b = new MatchBlock("", null, null, null, StringMatcher.exact("payments.shop:81"), List.of(), List.of(), 81);
    assertThat(b.match(r, "/pay")).isEqualTo("/");
  }

  @Test
  void headerNamesAreCaseInsensitiveAndEachKindWorks() {
    HttpRequest r = get("/");
    r.headers().set("X-Canary", "true");
    r.headers().set("x-user", "alice-admin");
    assertThat(match(headers(new HeaderCondition("x-canary", StringMatcher.exact("true"), false)), r)).isNotNull();
    assertThat(match(headers(new HeaderCondition("X-CANARY", StringMatcher.exact("TRUE"), false)), r)).isNull();
    assertThat(match(headers(new HeaderCondition("x-user", StringMatcher.prefix("alice"), false)), r)).isNotNull();
    assertThat(match(headers(new HeaderCondition("x-user", StringMatcher.regex(".*-admin"), false)), r)).isNotNull();
    assertThat(match(headers(new HeaderCondition("x-user", StringMatcher.regex("admin"), false)), r)).isNull();
  }

  @Test
  void aHeaderMatchOnAMissingHeaderFailsEvenForPresence() {
    HttpRequest r = get("/");
    assertThat(match(headers(new HeaderCondition("x-missing", new StringMatcher.Present(), false)), r)).isNull();
    r.headers().set("x-missing", "");
    assertThat(match(headers(new HeaderCondition("x-missing", new StringMatcher.Present(), false)), r)).isNotNull();
  }

  @Test
  void withoutHeadersNegates() {
    HttpRequest r = get("/");
    r.headers().set("x-debug", "1");
    HeaderCondition noDebug = new HeaderCondition("x-debug", new StringMatcher.Present(), true);
    assertThat(match(headers(noDebug), r)).isNull();
    assertThat(match(headers(noDebug), get("/"))).isNotNull();
    HeaderCondition notOne = new HeaderCondition("x-debug", StringMatcher.exact("1"), true);
    r.headers().set("x-debug", "2");
    assertThat(match(headers(notOne), r)).isNotNull();
  }

  @Test
  void pseudoHeadersReadTheRequestLine() {
    HttpRequest r = get("/a?b=c");
    assertThat(match(headers(new HeaderCondition(":method", StringMatcher.exact("GET"), false)), r)).isNotNull();
    assertThat(match(headers(new HeaderCondition(":path", StringMatcher.exact("/a?b=c"), false)), r)).isNotNull();
    assertThat(match(headers(new HeaderCondition(":authority", StringMatcher.exact("orders.shop:8080"), false)), r))
        .isNotNull();
    assertThat(match(headers(new HeaderCondition(":scheme", StringMatcher.exact("http"), false)), r)).isNotNull();
  }

  @Test
  void queryParamsAreDecodedAndMatched() {
    MatchBlock b = new MatchBlock("", null, null, null, null, List.of(),
        List.of(new QueryCondition("user", StringMatcher.exact("bob smith")),
            new QueryCondition("v", StringMatcher.regex("[0-9]+"))), 0);
    assertThat(match(b, get("/?user=bob%20smith&v=12"))).isNotNull();
    assertThat(match(b, get("/?user=bob%20smith&v=x"))).isNull();
    assertThat(match(b, get("/?v=1"))).isNull();
    MatchBlock prefix = new MatchBlock("", null, null, null, null, List.of(),
        List.of(new QueryCondition("lang", StringMatcher.prefix("en"))), 0);
    assertThat(match(prefix, get("/?lang=en-GB"))).isNotNull();
  }

  @Test
  void blocksAreOredAndConditionsAnded() {
    RouteMatch m = new AnyOfBlocks(List.of(
        new MatchBlock("", UriCondition.of(StringMatcher.prefix("/a"), false), null, StringMatcher.exact("POST"), null,
            List.of(), List.of(), 0),
        uri(UriCondition.of(StringMatcher.prefix("/b"), false))));
    assertThat(m.match(get("/a/1"), "/a/1")).isNull();
    assertThat(m.match(get("/b/1"), "/b/1")).isEqualTo("/b");
    assertThat(new AnyOfBlocks(List.of()).match(get("/z"), "/z")).isEqualTo("/");
  }

  @Test
  void invalidRegexIsReportedInTheHouseFormat() {
    assertThatThrownBy(() -> StringMatcher.regex("(")).hasMessageStartingWith("regex: ( (expected: a valid regular expression");
  }

  @Test
  void rewriteReplacesWhatTheMatchMatched() {
    UriRewrite.Replace rewrite = new UriRewrite.Replace("/v2");
    String prefix = match(uri(UriCondition.of(StringMatcher.prefix("/v1"), false)), get("/v1/orders"));
    assertThat(rewrite.apply("/v1/orders", prefix)).isEqualTo("/v2/orders");
    String exact = match(uri(UriCondition.of(StringMatcher.exact("/old"), false)), get("/old"));
    assertThat(rewrite.apply("/old", exact)).isEqualTo("/v2");
    String none = match(MatchBlock.ANY, get("/orders"));
    assertThat(new UriRewrite.Replace("/api/").apply("/orders", none)).isEqualTo("/api/orders");
  }
}
