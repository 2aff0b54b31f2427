package io.meshwork.proxy.forward;

import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.admission.CircuitBreaker;
import io.meshwork.proxy.admission.ConnectionLimits;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.outbound.ProxyPortTargets;
import io.meshwork.proxy.retry.RetryOn;
import io.meshwork.proxy.retry.RetryPolicy;
import io.meshwork.proxy.stack.RequestRecord;
import io.meshwork.proxy.stack.RequestStack;
import io.meshwork.proxy.stack.RequestStage;
import io.meshwork.proxy.stack.ResponseFlag;
import io.meshwork.proxy.stack.StageRequest;
import io.meshwork.proxy.stack.StageVerdict;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the router makes of a retriable response, on EmbeddedChannels with frozen clocks: the
 * header conditions, URX when the route's retries are used up, UO when the cluster's retry slots are.
 */
class RetryOutcomeExchangeTest {
  private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 7001);
  private static final String RATELIMITED = "HTTP/1.1 429 Too Many Requests\r\nx-envoy-ratelimited: true\r\n"
      + "content-length: 0\r\n\r\n";

  private final ExchangeTest.EmbeddedUpstreams upstreams = new ExchangeTest.EmbeddedUpstreams();
  private final List<EmbeddedChannel> downstreams = new ArrayList<>();
  private final List<RequestRecord> ended = new ArrayList<>();
  private ForwardConfig config;

  private final RequestStage recorder = new RequestStage() {
    @Override
    public StageVerdict onRequest(StageRequest request) {
      return StageVerdict.NEXT;
    }

    @Override
    public void onEnd(RequestRecord record) {
      ended.add(record);
    }
  };

  @AfterEach
  void close() {
    downstreams.forEach(EmbeddedChannel::finishAndReleaseAll);
    upstreams.channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  private static Cluster cluster(ConnectionLimits limits) {
    return new Cluster("outbound|80||svc", "svc", "", List.of(new Endpoint(A, Map.of(), 1)), Meshes.roundRobin(),
        HashPolicy.NONE, UpstreamProtocol.HTTP1, ConnectionPoolSettings.DEFAULT, null, new CircuitBreaker(limits),
        null);
  }

  private static RetryPolicy retries(int attempts, RetryOn... on) {
    return new RetryPolicy(attempts, Duration.ZERO, Set.of(on), Set.of(), Duration.ofMillis(5), Duration.ofMillis(5));
  }

  private void start(Cluster cluster, RetryPolicy retries) {
    config = new ForwardConfig(() -> Meshes.table(host("svc", forward(cluster, Duration.ZERO, retries))),
        new ProxyPortTargets(), upstreams, RequestBody.DEFAULT_REPLAY_LIMIT, () -> false, new InFlight(),
        RequestStack.builder().push(recorder).build());
  }

  private EmbeddedChannel send(HttpRequest head) {
    EmbeddedChannel ch = new EmbeddedChannel(new DownstreamHandler(config, false));
    ch.freezeTime();
    downstreams.add(ch);
    ch.writeInbound(head, LastHttpContent.EMPTY_LAST_CONTENT);
    ch.flush();
    return ch;
  }

  private static HttpRequest get(String... headers) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    r.headers().set("host", "svc");
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }

  /** Past the backoff (5 ms at most here), so a scheduled retry starts. */
  private static void pastBackoff(EmbeddedChannel ch) {
    ch.advanceTimeBy(10, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    ch.runPendingTasks();
  }

  private static int streamedStatus(EmbeddedChannel ch) {
    int status = -1;
    Object o;
    while ((o = ch.readOutbound()) != null) {
      if (o instanceof HttpResponse r) {
        status = r.status().code();
      }
      if (o instanceof HttpContent c) {
        c.release();
      }
    }
    return status;
  }

  @Test
  void aRateLimitedResponseIsRetriedAndTheLastOneIsFlaggedURX() {
    start(cluster(ConnectionLimits.NONE), retries(1, RetryOn.ENVOY_RATELIMITED));
    EmbeddedChannel down = send(get());
    upstreams.respond(0, RATELIMITED);
    pastBackoff(down);
    assertThat(upstreams.channels).hasSize(2);
    upstreams.respond(1, RATELIMITED);
    assertThat(streamedStatus(down)).isEqualTo(429);
    assertThat(ended).hasSize(1);
    assertThat(ended.get(0).has(ResponseFlag.URX)).isTrue();
    assertThat(ended.get(0).has(ResponseFlag.UO)).isFalse();
  }

  @Test
  void aPlain429IsNotRetriedUnderEnvoyRateLimited() {
    start(cluster(ConnectionLimits.NONE), retries(1, RetryOn.ENVOY_RATELIMITED));
    EmbeddedChannel down = send(get());
    upstreams.respond(0, "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\n\r\n");
    assertThat(streamedStatus(down)).isEqualTo(429);
    pastBackoff(down);
    assertThat(upstreams.channels).hasSize(1);
    assertThat(ended.get(0).flags()).isEmpty();
  }

  @Test
  void aResponseHeaderNamedByTheRequestIsRetried() {
    start(cluster(ConnectionLimits.NONE), retries(2, RetryOn.RETRIABLE_HEADERS));
    EmbeddedChannel down = send(get("x-envoy-retriable-header-names", "x-busy,x-later"));
    upstreams.respond(0, "HTTP/1.1 200 OK\r\nx-later: 1\r\ncontent-length: 0\r\n\r\n");
    pastBackoff(down);
    assertThat(upstreams.channels).hasSize(2);
    upstreams.respond(1, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    assertThat(streamedStatus(down)).isEqualTo(200);
    assertThat(ended.get(0).flags()).isEmpty();
  }

  @Test
  void noFreeRetrySlotEndsTheRequestFlaggedUO() {
    Cluster c = cluster(new ConnectionLimits(ConnectionLimits.UNLIMITED, ConnectionLimits.UNLIMITED,
        ConnectionLimits.UNLIMITED, 1, Duration.ofSeconds(1)));
    start(c, retries(1, RetryOn.ENVOY_RATELIMITED));
    // The one retry slot is held by another request's retry.
    assertThat(c.breaker().tryRetry()).isTrue();
    EmbeddedChannel down = send(get());
    upstreams.respond(0, RATELIMITED);
    assertThat(streamedStatus(down)).isEqualTo(429);
    assertThat(upstreams.channels).hasSize(1);
    assertThat(c.breaker().retryOverflows()).isEqualTo(1);
    assertThat(ended.get(0).has(ResponseFlag.UO)).isTrue();
    c.breaker().retryDone();
  }
}
