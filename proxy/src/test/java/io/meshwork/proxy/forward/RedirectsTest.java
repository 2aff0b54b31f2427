package io.meshwork.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.route.RouteAction;
import org.junit.jupiter.api.Test;

class RedirectsTest {

  @Test
  void replacesOnlyTheGivenParts() {
    assertThat(Redirects.location(new RouteAction.Redirect("/v2", null, null, 0, 301), "http", "shop:8080", "/v1", "a=1"))
        .isEqualTo("http://shop:8080/v2?a=1");
    assertThat(Redirects.location(new RouteAction.Redirect(null, "new.shop", "https", 0, 302), "http", "shop", "/p", null))
        .isEqualTo("https://new.shop/p");
    assertThat(Redirects.location(new RouteAction.Redirect(null, null, null, 9443, 301), "http", "shop:8080", "/p", null))
        .isEqualTo("http://shop:9443/p");
    assertThat(Redirects.location(new RouteAction.Redirect("/x?b=2", null, null, 0, 301), "http", "shop", "/p", "a=1"))
        .isEqualTo("http://shop/x?b=2");
  }
}
