package io.meshwork.proxy.forward;

import static io.meshwork.proxy.fixtures.Meshes.cluster;
import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static io.meshwork.proxy.fixtures.Meshes.retries;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.outbound.ProxyPortTargets;
import io.meshwork.proxy.retry.AttemptFailure;
import io.meshwork.proxy.retry.RetryOn;
import io.meshwork.proxy.retry.RetryPolicy;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.upstream.Http1Connection;
import io.meshwork.proxy.upstream.UpstreamListener;
import io.meshwork.proxy.upstream.Upstreams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exchange state machine on EmbeddedChannels with a frozen clock: the downstream is an
 * EmbeddedChannel fed HttpObjects, each upstream attempt an EmbeddedChannel running the real
 * HTTP/1.1 client codec and connection handler.
 */
class ExchangeTest {
  private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 7001);
  private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 7002);

  /** Hands out one EmbeddedChannel per attempt; addresses in {@code refused} fail to connect. */
  static final class EmbeddedUpstreams implements Upstreams {
    final List<EmbeddedChannel> channels = new ArrayList<>();
    final List<InetSocketAddress> addresses = new ArrayList<>();
    Set<InetSocketAddress> refused = Set.of();
    /** Lends the next connection as one that already served a request. */
    boolean nextReused;

    @Override
    public void acquire(EventLoop loop, InetSocketAddress address, boolean http2, boolean dedicated,
        ConnectionPoolSettings settings, UpstreamListener listener) {
      addresses.add(address);
      if (refused.contains(address)) {
        listener.onAcquireFailed(AttemptFailure.CONNECT_FAILURE, new IOException("refused"));
        return;
      }
      Http1Connection connection = new Http1Connection(null, address, 0, 0);
      EmbeddedChannel ch = new EmbeddedChannel(new HttpClientCodec(), connection);
      channels.add(ch);
      if (nextReused) {
        nextReused = false;
        connection.attach(listener);
      }
      connection.attach(listener);
      listener.onAcquired(connection);
    }

    String requestText(int attempt) {
      EmbeddedChannel ch = channels.get(attempt);
      StringBuilder text = new StringBuilder();
      ByteBuf b;
      while ((b = ch.readOutbound()) != null) {
        text.append(b.toString(StandardCharsets.ISO_8859_1));
        b.release();
      }
      return text.toString();
    }

    void respond(int attempt, String raw) {
      channels.get(attempt).writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }
  }

  private final EmbeddedUpstreams upstreams = new EmbeddedUpstreams();
  private EmbeddedChannel downstream;

  private void start(RouteAction action) {
    ForwardConfig config = new ForwardConfig(() -> Meshes.table(host("svc", action)), new ProxyPortTargets(),
        upstreams, RequestBody.DEFAULT_REPLAY_LIMIT, () -> false, new InFlight());
    downstream = new EmbeddedChannel(new DownstreamHandler(config, false));
    downstream.freezeTime();
  }

  @AfterEach
  void close() {
    if (downstream != null) {
      downstream.finishAndReleaseAll();
    }
    upstreams.channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  private static HttpRequest get(String path) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    r.headers().set("host", "svc");
    return r;
  }

  private void send(HttpRequest head, HttpContent... body) {
    downstream.writeInbound(head);
    for (HttpContent c : body) {
      downstream.writeInbound(c);
    }
    downstream.flush();
  }

  private void advance(long millis) {
    downstream.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    downstream.runScheduledPendingTasks();
    downstream.runPendingTasks();
  }

  private FullHttpResponse localResponse() {
    Object out = downstream.readOutbound();
    assertThat(out).isInstanceOf(FullHttpResponse.class);
    return (FullHttpResponse) out;
  }

  private static String body(FullHttpResponse r) {
    String s = r.content().toString(StandardCharsets.UTF_8);
    r.release();
    return s;
  }

  @Test
  void aFailingRoutingComponentIsAnswered500() {
    ForwardConfig config = new ForwardConfig(() -> (request, host, port, path, random) -> {
      throw new IllegalStateException("broken table");
    }, new ProxyPortTargets(), upstreams, RequestBody.DEFAULT_REPLAY_LIMIT, () -> false, new InFlight());
    downstream = new EmbeddedChannel(new DownstreamHandler(config, false));
    send(get("/"), LastHttpContent.EMPTY_LAST_CONTENT);
    FullHttpResponse r = localResponse();
    assertThat(r.status().code()).isEqualTo(500);
    assertThat(body(r)).isEqualTo("internal error: IllegalStateException\n");
    assertThat(downstream.isOpen()).isTrue();
  }

  @Test
  void aReusedConnectionClosedUnderTheRequestIsTriedOnceMoreWithoutRetryPolicy() {
    start(forward(cluster("svc", A)));
    upstreams.nextReused = true;
    send(get("/again"), LastHttpContent.EMPTY_LAST_CONTENT);
    upstreams.channels.get(0).close();
    assertThat(upstreams.channels).hasSize(2);
    assertThat(upstreams.requestText(1)).startsWith("GET /again HTTP/1.1");
    upstreams.channels.get(1).close();
    FullHttpResponse r = localResponse();
    assertThat(r.status().code()).isEqualTo(503);
    r.release();
  }

  @Test
  void routeTimeoutBoundsTheExchange() {
    start(forward(cluster("svc", A), Duration.ofSeconds(1), RetryPolicy.NONE));
    send(get("/slow"), LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(upstreams.requestText(0)).startsWith("GET /slow HTTP/1.1");
    advance(999);
    assertThat(downstream.<Object>readOutbound()).isNull();
    advance(1);
    FullHttpResponse r = localResponse();
    assertThat(r.status().code()).isEqualTo(504);
    assertThat(r.headers().get("x-meshwork-error")).isEqualTo("upstream_timeout");
    assertThat(body(r)).isEqualTo("upstream request timeout\n");
    assertThat(upstreams.channels.get(0).isOpen()).isFalse();
  }

  @Test
  void perTryTimeoutRetriesOnAnotherHostThenGivesUp() {
    start(forward(cluster("svc", A, B), Duration.ZERO, retries(1, Duration.ofMillis(100), RetryOn.RESET)));
    send(get("/x"), LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(upstreams.channels).hasSize(1);
    advance(100);
    assertThat(upstreams.channels.get(0).isOpen()).isFalse();
    // Backoff: full jitter below the 5 ms base of the test policy.
    advance(5);
    assertThat(upstreams.channels).hasSize(2);
    assertThat(upstreams.addresses).containsExactlyInAnyOrder(A, B);
    assertThat(upstreams.requestText(1)).contains("x-envoy-attempt-count: 2");
    advance(100);
    FullHttpResponse r = localResponse();
    assertThat(r.status().code()).isEqualTo(504);
    r.release();
  }

  @Test
  void retriableStatusIsDiscardedAndRetried() {
    start(forward(cluster("svc", A), Duration.ZERO, retries(2, Duration.ZERO, RetryOn.GATEWAY_ERROR)));
    HttpRequest withBody = get("/r");
    withBody.headers().set("content-length", "4");
    send(withBody, new DefaultLastHttpContent(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8)));
    upstreams.respond(0, "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\nbusy");
    assertThat(downstream.<Object>readOutbound()).isNull();
    advance(5);
    assertThat(upstreams.requestText(1)).endsWith("ping");
    upstreams.respond(1, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive, x-hop\r\nx-hop: 1\r\n\r\nok");
    HttpResponse head = downstream.readOutbound();
    assertThat(head.status().code()).isEqualTo(200);
    assertThat(head.headers().contains("x-hop")).isFalse();
    assertThat(head.headers().contains("connection")).isFalse();
    HttpContent content = downstream.readOutbound();
    assertThat(content.content().toString(StandardCharsets.UTF_8)).isEqualTo("ok");
    assertThat(content).isInstanceOf(LastHttpContent.class);
    content.release();
    assertThat(downstream.isOpen()).isTrue();
  }

  @Test
  void bodyBeyondReplayLimitIsNotRetried() {
    start(forward(cluster("svc", A, B), Duration.ZERO, retries(2, Duration.ZERO, RetryOn.RESET)));
    HttpRequest post = get("/upload");
    post.setMethod(HttpMethod.POST);
    post.headers().set("transfer-encoding", "chunked");
    send(post, new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[40 * 1024])),
        new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[40 * 1024])));
    upstreams.channels.get(0).close();
    FullHttpResponse r = localResponse();
    assertThat(r.status().code()).isEqualTo(503);
    assertThat(body(r)).isEqualTo("upstream connect error or disconnect/reset before headers (connection reset)\n");
    assertThat(upstreams.channels).hasSize(1);
  }

  @Test
  void connectFailuresMapToUnavailableForGrpc() {
    start(forward(cluster("svc", A), Duration.ZERO, retries(1, Duration.ZERO, RetryOn.CONNECT_FAILURE)));
    upstreams.refused = Set.of(A);
    HttpRequest call = get("/pkg.Svc/Method");
    call.setMethod(HttpMethod.POST);
    call.headers().set("content-type", "application/grpc");
    send(call, LastHttpContent.EMPTY_LAST_CONTENT);
    advance(5);
    assertThat(upstreams.addresses).containsExactly(A, A);
    FullHttpResponse r = localResponse();
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.headers().get("grpc-status")).isEqualTo("14");
    assertThat(r.headers().get("grpc-message"))
        .isEqualTo("upstream connect error or disconnect/reset before headers (connection failure)");
    r.release();
  }

  @Test
  void upstreamBreakingMidResponseClosesTheHttp1Downstream() {
    start(forward(cluster("svc", A)));
    send(get("/stream"), LastHttpContent.EMPTY_LAST_CONTENT);
    upstreams.respond(0, "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial");
    HttpResponse head = downstream.readOutbound();
    assertThat(head.status().code()).isEqualTo(200);
    HttpContent part = downstream.readOutbound();
    part.release();
    upstreams.channels.get(0).close();
    downstream.runPendingTasks();
    assertThat(downstream.isOpen()).isFalse();
  }

  @Test
  void continueIsForwardedBeforeTheBody() {
    start(forward(cluster("svc", A)));
    HttpRequest post = get("/put");
    post.setMethod(HttpMethod.POST);
    post.headers().set("expect", "100-continue").set("content-length", "5");
    send(post);
    assertThat(upstreams.requestText(0)).contains("expect: 100-continue");
    upstreams.respond(0, "HTTP/1.1 100 Continue\r\n\r\n");
    // Whole interim messages: the HTTP/1.1 encoder then takes the final head (RFC 9110 §15.2).
    FullHttpResponse interim = downstream.readOutbound();
    assertThat(interim.status().code()).isEqualTo(100);
    interim.release();
    downstream.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8)));
    downstream.flush();
    assertThat(upstreams.requestText(0)).isEqualTo("hello");
    upstreams.respond(0, "HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n");
    // A bodyless response goes downstream as one message (END_STREAM on HEADERS for HTTP/2).
    FullHttpResponse created = downstream.readOutbound();
    assertThat(created.status().code()).isEqualTo(201);
    assertThat(created.headers().get("content-length")).isEqualTo("0");
    created.release();
    assertThat(downstream.<Object>readOutbound()).isNull();
    assertThat(downstream.isOpen()).isTrue();
  }

  @Test
  void finalResponseBeforeTheBodyClosesTheHttp1Connection() {
    start(forward(cluster("svc", A)));
    HttpRequest post = get("/put");
    post.setMethod(HttpMethod.POST);
    post.headers().set("expect", "100-continue").set("content-length", "5");
    send(post);
    // RFC 9110 §10.1.1: the origin refuses without reading the body; the client may never send it.
    upstreams.respond(0, "HTTP/1.1 413 Content Too Large\r\ncontent-length: 0\r\n\r\n");
    FullHttpResponse refused = downstream.readOutbound();
    assertThat(refused.status().code()).isEqualTo(413);
    refused.release();
    downstream.runPendingTasks();
    assertThat(downstream.isOpen()).isFalse();
  }

  @Test
  void bodylessRequestGoesUpstreamWithoutFraming() {
    start(forward(cluster("svc", A)));
    send(get("/plain"), LastHttpContent.EMPTY_LAST_CONTENT);
    String sent = upstreams.requestText(0);
    assertThat(sent).startsWith("GET /plain HTTP/1.1\r\n").endsWith("\r\n\r\n");
    assertThat(sent.toLowerCase()).doesNotContain("transfer-encoding").doesNotContain("content-length");
    upstreams.respond(0, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    HttpResponse head = downstream.readOutbound();
    assertThat(head.status().code()).isEqualTo(200);
    HttpContent content = downstream.readOutbound();
    content.release();
    assertThat(downstream.isOpen()).isTrue();
    assertThat(downstream.config().isAutoRead()).isTrue();
  }

  @Test
  void aHopThatDoesNotRetryKeepsTheCallersAttemptCount() {
    start(forward(cluster("svc", A)));
    HttpRequest fourth = get("/again");
    fourth.headers().set("x-envoy-attempt-count", "4");
    send(fourth, LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(upstreams.requestText(0)).contains("x-envoy-attempt-count: 4");
  }

  @Test
  void aResetPostIsNotSentAgain() {
    start(forward(cluster("svc", A, B), Duration.ZERO, retries(3, Duration.ZERO, RetryOn.RESET, RetryOn.CONNECT_FAILURE)));
    HttpRequest post = get("/order");
    post.setMethod(HttpMethod.POST);
    post.headers().set("content-length", "2");
    send(post, new DefaultLastHttpContent(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8)));
    assertThat(upstreams.requestText(0)).endsWith("{}");
    // The upstream may have acted on it before the reset: a non-idempotent request is not repeated.
    upstreams.channels.get(0).close();
    advance(50);
    FullHttpResponse r = localResponse();
    assertThat(r.status().code()).isEqualTo(503);
    r.release();
    assertThat(upstreams.channels).hasSize(1);
  }

  @Test
  void aPostThatNeverConnectedIsRetried() {
    start(forward(cluster("svc", A, B), Duration.ZERO, retries(1, Duration.ZERO, RetryOn.CONNECT_FAILURE)));
    upstreams.refused = Set.of(A);
    HttpRequest post = get("/order");
    post.setMethod(HttpMethod.POST);
    post.headers().set("content-length", "2");
    send(post, new DefaultLastHttpContent(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8)));
    advance(5);
    assertThat(upstreams.addresses).containsExactly(A, B);
    assertThat(upstreams.requestText(upstreams.channels.size() - 1)).endsWith("{}");
  }

  @Test
  void pipelinedRequestWaitsForTheCurrentResponse() {
    start(forward(cluster("svc", A)));
    send(get("/one"), LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(downstream.config().isAutoRead()).isTrue();
    send(get("/two"), LastHttpContent.EMPTY_LAST_CONTENT);
    // A pipelined request waits, and the connection is not read further meanwhile.
    assertThat(downstream.config().isAutoRead()).isFalse();
    assertThat(upstreams.channels).hasSize(1);
    upstreams.respond(0, "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n1");
    assertThat(upstreams.channels).hasSize(2);
    assertThat(upstreams.requestText(1)).startsWith("GET /two HTTP/1.1");
    upstreams.respond(1, "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n2");
    List<String> bodies = new ArrayList<>();
    Object o;
    while ((o = downstream.readOutbound()) != null) {
      if (o instanceof HttpContent c) {
        bodies.add(c.content().toString(StandardCharsets.UTF_8));
        c.release();
      }
    }
    assertThat(bodies).containsExactly("1", "2");
    assertThat(downstream.config().isAutoRead()).isTrue();
  }
}
