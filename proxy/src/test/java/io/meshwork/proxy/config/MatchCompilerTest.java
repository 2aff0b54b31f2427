package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.model.networking.HTTPMatchRequest;
import io.meshwork.model.networking.StringMatch;
import io.meshwork.proxy.route.RouteMatch;
import io.meshwork.proxy.route.StringMatcher;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MatchCompilerTest {
  private final MatchCompiler compiler = new MatchCompiler(new LocalService("web", "shop"));

  private static HTTPMatchRequest headers(Map<String, StringMatch> headers, Map<String, StringMatch> without) {
    return new HTTPMatchRequest(null, null, null, null, null, headers, null, null, null, null, null, without, null, null);
  }

  @Test
  void anEmptyStringMatchIsAPresenceCheck() {
    Map<String, StringMatch> present = new HashMap<>();
    present.put("x-debug", null);
    RouteMatch m = compiler.compile(List.of(headers(present, Map.of())), "spec.http[0].match");
    HttpRequest with = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    with.headers().set("X-Debug", "anything");
    assertThat(m.match(with, "/")).isEqualTo("/");
    assertThat(m.match(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), "/")).isNull();
    assertThat(MatchCompiler.matcher(null, "f")).isEqualTo(new StringMatcher.Present());
  }

  @Test
  void blocksForGatewaysOrOtherCallersAreDropped() {
    HTTPMatchRequest gatewayOnly = new HTTPMatchRequest(null, StringMatch.prefix("/"), null, null, null, null, null,
        null, List.of("ingress"), null, null, null, null, null);
    HTTPMatchRequest otherNamespace = new HTTPMatchRequest(null, null, null, null, null, null, null,
        null, null, null, null, null, "billing", null);
    assertThat(compiler.compile(List.of(gatewayOnly, otherNamespace), "m")).isNull();
    HTTPMatchRequest mesh = new HTTPMatchRequest(null, null, null, null, null, null, null,
        Map.of("app", "web"), List.of("mesh"), null, null, null, "shop", null);
    assertThat(compiler.compile(List.of(gatewayOnly, mesh), "m")).isNotNull();
  }

  @Test
  void invalidRegexNamesTheField() {
    HTTPMatchRequest bad = headers(Map.of("x-id", StringMatch.regex("[0-9")), Map.of());
    assertThatThrownBy(() -> compiler.compile(List.of(bad), "spec.http[2].match"))
        .hasMessageStartingWith("spec.http[2].match[0].headers.x-id.regex: [0-9 (expected: a valid regular expression");
  }
}
