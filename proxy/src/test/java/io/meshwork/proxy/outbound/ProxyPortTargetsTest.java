package io.meshwork.proxy.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.forward.Target;
import io.meshwork.proxy.forward.TargetResolver;
import io.meshwork.proxy.http.ProxyError;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class ProxyPortTargetsTest {
  private final ProxyPortTargets targets = new ProxyPortTargets();

  private Target resolve(HttpRequest r) {
    TargetResolver.Resolution res = targets.resolve(r);
    assertThat(res).isInstanceOf(TargetResolver.Resolved.class);
    return ((TargetResolver.Resolved) res).target();
  }

  private static HttpRequest req(HttpMethod method, String uri, String... headers) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }

  @Test
  void absoluteForm() {
    assertThat(resolve(req(HttpMethod.GET, "http://Products.Shop:8080/a/b?c=d", "host", "ignored")))
        .isEqualTo(new Target("products.shop", 8080, "Products.Shop:8080", "/a/b", "c=d"));
    assertThat(resolve(req(HttpMethod.GET, "http://products")))
        .isEqualTo(new Target("products", 0, "products", "/", null));
    assertThat(resolve(req(HttpMethod.GET, "http://[::1]:81/x")))
        .isEqualTo(new Target("::1", 81, "[::1]:81", "/x", null));
  }

  @Test
  void daprInvokePath() {
    assertThat(resolve(req(HttpMethod.POST, "/v1.0/invoke/Orders/method/items/7?x=1", "host", "localhost:3500")))
        .isEqualTo(new Target("orders", 0, "orders", "/items/7", "x=1"));
    assertThat(resolve(req(HttpMethod.GET, "/v1.0/invoke/orders/method")))
        .isEqualTo(new Target("orders", 0, "orders", "/", null));
    assertThat(targets.resolve(req(HttpMethod.GET, "/v1.0/invoke/orders/items")))
        .isInstanceOf(TargetResolver.Rejected.class);
  }

  @Test
  void daprAppIdHeaderThenHost() {
    assertThat(resolve(req(HttpMethod.GET, "/p", "dapr-app-id", "cart", "host", "localhost")))
        .isEqualTo(new Target("cart", 0, "cart", "/p", null));
    assertThat(resolve(req(HttpMethod.GET, "/p?q", "host", "cart.shop:9000")))
        .isEqualTo(new Target("cart.shop", 9000, "cart.shop:9000", "/p", "q"));
  }

  @Test
  void rejections() {
    assertThat(targets.resolve(req(HttpMethod.GET, "/")))
        .extracting(r -> ((TargetResolver.Rejected) r).error()).isEqualTo(ProxyError.BAD_REQUEST);
    assertThat(targets.resolve(req(HttpMethod.GET, "/", "host", "cart:99999")))
        .extracting(r -> ((TargetResolver.Rejected) r).error()).isEqualTo(ProxyError.BAD_REQUEST);
  }

  @Test
  void connectNamesHostAndPort() {
    assertThat(resolve(req(HttpMethod.CONNECT, "Cart:443", "host", "cart:443")))
        .isEqualTo(new Target("cart", 443, "Cart:443", "/", null));
    assertThat(resolve(req(HttpMethod.CONNECT, "[::1]:8443", "host", "[::1]:8443")))
        .isEqualTo(new Target("::1", 8443, "[::1]:8443", "/", null));
  }

  @Test
  void connectWithoutHostAndPortIsABadRequest() {
    for (String bad : new String[] {"cart", "cart:", "cart:0", "cart:99999", ":443", "http://cart:443", "cart:443/x",
        "user@cart:443", "[::1]", "::1:443"}) {
      assertThat(targets.resolve(req(HttpMethod.CONNECT, bad, "host", "cart")))
          .as(bad)
          .isEqualTo(new TargetResolver.Rejected(ProxyError.BAD_REQUEST,
              "bad request: CONNECT target \"" + bad + "\" (expected: host:port, e.g. example.com:443)"));
    }
  }

  @Test
  void upstreamPortIgnoresHost() {
    TargetResolver.Resolution r = new UpstreamPortTargets("Products")
        .resolve(req(HttpMethod.GET, "/list?all", "host", "127.0.0.1:9191"));
    assertThat(((TargetResolver.Resolved) r).target()).isEqualTo(new Target("products", 0, "products", "/list", "all"));
  }
}
