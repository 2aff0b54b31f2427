package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seed 004's DestinationRule through a real sidecar to four real HTTP/2 instances (its
 * h2UpgradePolicy is UPGRADE), one of which always answers 503: after its fifth 503 in a row it is
 * ejected and gets no more traffic, and /config lists the ejection.
 */
@Timeout(120)
class OutlierDetectionIntegrationTest {
  private final List<TestBackend> backends = new ArrayList<>();
  private Sidecar sidecar;

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    backends.forEach(TestBackend::close);
  }

  /** An h2c instance that answers every request with {@code status} and counts them. */
  private TestBackend instance(HttpResponseStatus status, AtomicInteger hits) {
    return instance(n -> status, hits);
  }

  /** An h2c instance whose n-th request (from 1) is answered with {@code status.apply(n)}. */
  private TestBackend instance(java.util.function.IntFunction<HttpResponseStatus> statuses, AtomicInteger hits) {
    TestBackend b = new TestBackend(ch -> ch.pipeline().addLast(
        Http2FrameCodecBuilder.forServer().build(),
        new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel child) {
            child.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                new SimpleChannelInboundHandler<HttpObject>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                    if (msg instanceof LastHttpContent) {
                      HttpResponseStatus status = statuses.apply(hits.incrementAndGet());
                      byte[] body = status.reasonPhrase().getBytes(StandardCharsets.UTF_8);
                      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                          Unpooled.wrappedBuffer(body));
                      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                      ctx.writeAndFlush(r);
                    }
                  }
                });
          }
        })));
    backends.add(b);
    return b;
  }

  @Test
  void anInstanceThatAlwaysAnswers503IsEjectedAndGetsNoMoreTraffic() throws Exception {
    AtomicInteger badHits = new AtomicInteger();
    AtomicInteger goodHits = new AtomicInteger();
    StringBuilder yaml = new StringBuilder();
    yaml.append(Resources.workload("product-bad", "default", "product-service", "127.0.0.1",
        "http: " + instance(HttpResponseStatus.SERVICE_UNAVAILABLE, badHits).address().getPort(), "version: v1"));
    for (int i = 0; i < 3; i++) {
      yaml.append(Resources.workload("product-" + i, "default", "product-service", "127.0.0.1",
          "http: " + instance(HttpResponseStatus.OK, goodHits).address().getPort(), "version: " + (i < 1 ? "v1" : "v2")));
    }
    // Seed 004's rule, except tls: ISTIO_MUTUAL, which needs workload identities this test does not issue.
    yaml.append("""
        apiVersion: networking.istio.io/v1beta1
        kind: DestinationRule
        metadata:
          name: product-service
        spec:
          host: product-service
          trafficPolicy:
            connectionPool:
              tcp:
                maxConnections: 100
              http:
                h2UpgradePolicy: UPGRADE
                http1MaxPendingRequests: 100
                http2MaxRequests: 1000
            loadBalancer:
              simple: LEAST_CONN
            outlierDetection:
              consecutive5xxErrors: 5
              interval: 30s
              baseEjectionTime: 30s
              maxEjectionPercent: 50
          subsets:
            - name: v1
              labels:
                version: v1
            - name: v2
              labels:
                version: v2
        """);
    MeshSnapshot snapshot =
        new SnapshotCompiler().compile(1, Resources.yaml(yaml.toString()), new LocalService("web", "default"));
    assertThat(snapshot.notices()).noneMatch(n -> n.contains("outlierDetection"));
    sidecar = Sidecar.start(SidecarSettings.defaults("web").withIoThreads(2), new SnapshotRef(snapshot));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    // Until the bad instance has answered five 503s in a row (each is retried elsewhere by the default route).
    for (int i = 0; i < 400 && badHits.get() < 5; i++) {
      call(client);
    }
    assertThat(badHits.get()).isEqualTo(5);
    for (int i = 0; i < 60; i++) {
      assertThat(call(client).statusCode()).isEqualTo(200);
    }
    assertThat(badHits.get()).isEqualTo(5);

    HttpResponse<String> config = client.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + sidecar.adminPort() + "/config")).build(), BodyHandlers.ofString());
    assertThat(config.body().replaceAll("\\s", "")).contains("\"ejections\":1")
        .contains("\"ejected\":[\"127.0.0.1:" + backends.get(0).address().getPort() + "\"]");
    client.close();
  }

  @Test
  void failurePercentageFromAnnotationsEjectsAnInstanceThatFailsEveryOtherRequest() throws Exception {
    AtomicInteger flakyHits = new AtomicInteger();
    AtomicInteger goodHits = new AtomicInteger();
    StringBuilder yaml = new StringBuilder();
    // Never two 503s in a row, so consecutive 5xx alone would never eject it.
    yaml.append(Resources.workload("product-flaky", "default", "product-service", "127.0.0.1", "http: "
        + instance(n -> n % 2 == 0 ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK, flakyHits)
            .address().getPort(), "version: v1"));
    for (int i = 0; i < 3; i++) {
      yaml.append(Resources.workload("product-" + i, "default", "product-service", "127.0.0.1",
          "http: " + instance(HttpResponseStatus.OK, goodHits).address().getPort(), "version: v1"));
    }
    yaml.append("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: product-service
          annotations:
            outlier.meshwork.io/failure-percentage-threshold: "40"
            outlier.meshwork.io/failure-percentage-minimum-hosts: "3"
            outlier.meshwork.io/failure-percentage-request-volume: "10"
        spec:
          host: product-service
          trafficPolicy:
            connectionPool: {http: {h2UpgradePolicy: UPGRADE}}
            outlierDetection:
              consecutive5xxErrors: 5
              interval: 1s
              baseEjectionTime: 60s
              maxEjectionPercent: 50
        """);
    MeshSnapshot snapshot =
        new SnapshotCompiler().compile(1, Resources.yaml(yaml.toString()), new LocalService("web", "default"));
    assertThat(snapshot.notices()).noneMatch(n -> n.contains("outlier"));
    sidecar = Sidecar.start(SidecarSettings.defaults("web").withIoThreads(2), new SnapshotRef(snapshot));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    long until = System.nanoTime() + Duration.ofMillis(2_500).toNanos();
    while (System.nanoTime() < until) {
      assertThat(call(client).statusCode()).as("the route retries the flaky instance's 503s").isEqualTo(200);
    }
    int flakyBefore = flakyHits.get();
    assertThat(flakyBefore).isGreaterThanOrEqualTo(10);
    for (int i = 0; i < 60; i++) {
      assertThat(call(client).statusCode()).isEqualTo(200);
    }
    assertThat(flakyHits.get()).as("ejected at the sweep, it gets no more traffic").isEqualTo(flakyBefore);
    client.close();
  }

  private HttpResponse<String> call(HttpClient client) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/"))
        .header("dapr-app-id", "product-service").timeout(Duration.ofSeconds(30)).GET().build(),
        BodyHandlers.ofString());
  }
}
