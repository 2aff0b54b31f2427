package io.meshwork.proxy.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.cluster.HashPolicy;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class RequestHashTest {
  private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.7", 40000);

  private static HttpRequest request(String uri) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  @Test
  void headerIsCaseInsensitiveAndAbsentMeansNoHash() {
    HttpRequest req = request("/");
    req.headers().set("X-User", "alice");
    RequestHash policy = new RequestHash.Header("x-USER");
    assertThat(policy.hash(req, PEER)).isEqualTo(RequestHash.of("alice")).isNotEqualTo(HashPolicy.NO_HASH);
    assertThat(policy.hash(request("/"), PEER)).isEqualTo(HashPolicy.NO_HASH);
  }

  @Test
  void cookieIsFoundAmongSeveralAndSplitCookieHeaders() {
    HttpRequest req = request("/");
    req.headers().add("cookie", "theme=dark; lang=en");
    req.headers().add("cookie", "session=abc123");
    assertThat(new RequestHash.Cookie("session").hash(req, PEER)).isEqualTo(RequestHash.of("abc123"));
    assertThat(new RequestHash.Cookie("lang").hash(req, PEER)).isEqualTo(RequestHash.of("en"));
    assertThat(new RequestHash.Cookie("missing").hash(req, PEER)).isEqualTo(HashPolicy.NO_HASH);
  }

  @Test
  void sourceIpIgnoresThePort() {
    RequestHash policy = new RequestHash.SourceIp();
    long a = policy.hash(request("/"), PEER);
    long b = policy.hash(request("/x"), new InetSocketAddress("192.0.2.7", 50000));
    assertThat(a).isEqualTo(b).isNotEqualTo(policy.hash(request("/"), new InetSocketAddress("192.0.2.8", 40000)));
    assertThat(policy.hash(request("/"), null)).isEqualTo(HashPolicy.NO_HASH);
  }

  @Test
  void queryParameterUsesTheDecodedFirstValue() {
    RequestHash policy = new RequestHash.QueryParameter("user");
    assertThat(policy.hash(request("/a?x=1&user=bob%20smith&user=eve"), PEER)).isEqualTo(RequestHash.of("bob smith"));
    assertThat(policy.hash(request("/a?x=1"), PEER)).isEqualTo(HashPolicy.NO_HASH);
    assertThat(policy.hash(request("/a"), PEER)).isEqualTo(HashPolicy.NO_HASH);
  }

  @Test
  void policiesValidateNames() {
    assertThatThrownBy(() -> new RequestHash.Header(" ")).hasMessage("httpHeaderName:   (expected: a header name)");
    assertThatThrownBy(() -> new RequestHash.QueryParameter("")).hasMessageStartingWith("httpQueryParameterName");
  }
}
