package io.meshwork.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.upstream.UpstreamListener;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A shadow on an EmbeddedChannel's loop with a frozen clock, against upstreams that never lend a stream. */
class ShadowTest {
  final EmbeddedChannel loop = new EmbeddedChannel();
  final List<UpstreamListener> waiting = new ArrayList<>();
  final Endpoint endpoint = new Endpoint(new InetSocketAddress("127.0.0.1", 9), Map.of(), 1);
  final RouteAction.Mirror mirror = new RouteAction.Mirror(new Cluster("outbound|80||shadow", "shadow", "",
      List.of(endpoint), (endpoints, request) -> endpoints.getFirst(), HashPolicy.NONE, UpstreamProtocol.HTTP1,
      ConnectionPoolSettings.DEFAULT), 100);
  final MirrorCounters counters = new MirrorCounters();

  Shadow start() {
    loop.freezeTime();
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x");
    head.headers().set("host", "products:8080");
    return Shadow.start(loop.eventLoop(), (l, address, http2, dedicated, settings, listener) -> waiting.add(listener),
        mirror, head, false, false, Duration.ofSeconds(2), counters);
  }

  @Test
  void theShadowHostGetsItsSuffixBeforeAnyPort() {
    assertThat(Shadow.shadowHost("products")).isEqualTo("products-shadow");
    assertThat(Shadow.shadowHost("products:8080")).isEqualTo("products-shadow:8080");
    assertThat(Shadow.shadowHost("[::1]:80")).isEqualTo("[::1]-shadow:80");
    assertThat(Shadow.shadowHost("[::1]")).isEqualTo("[::1]-shadow");
  }

  @Test
  void aShadowHoldsABoundedBodyAndIsAbandonedPastIt() {
    Shadow shadow = start();
    assertThat(endpoint.activeRequests()).isEqualTo(1);
    List<HttpContent> parts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      HttpContent part = new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[Shadow.MAX_HELD_BYTES / 2]));
      parts.add(part);
      shadow.content(part);
    }
    assertThat(counters.view().get("abandoned")).isEqualTo(1);
    assertThat(parts).allMatch(p -> p.refCnt() == 0);
    assertThat(endpoint.activeRequests()).as("the endpoint no longer counts it").isZero();
  }

  @Test
  void aShadowThatGetsNoStreamTimesOut() {
    start();
    loop.advanceTimeBy(2, TimeUnit.SECONDS);
    loop.runScheduledPendingTasks();
    assertThat(counters.view().get("timedOut")).isEqualTo(1);
    assertThat(endpoint.activeRequests()).isZero();
  }
}
