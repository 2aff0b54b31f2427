package io.meshwork.proxy.forward;

import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.ProxyStacks;
import io.meshwork.proxy.admission.CircuitBreaker;
import io.meshwork.proxy.admission.ConnectionLimits;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.outbound.ProxyPortTargets;
import io.meshwork.proxy.retry.RetryPolicy;
import io.meshwork.proxy.route.FaultPolicy;
import io.meshwork.proxy.route.HeaderOps;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.stack.RequestRecord;
import io.meshwork.proxy.stack.RequestStack;
import io.meshwork.proxy.stack.RequestStage;
import io.meshwork.proxy.stack.ResponseFlag;
import io.meshwork.proxy.stack.StageRequest;
import io.meshwork.proxy.stack.StageVerdict;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Circuit breaking, fault injection and the request record on EmbeddedChannels with frozen
 * clocks: each downstream is its own EmbeddedChannel (its own event loop), upstream attempts run
 * the real HTTP/1.1 client codec.
 */
class ResilienceExchangeTest {
  private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 7001);

  private final ExchangeTest.EmbeddedUpstreams upstreams = new ExchangeTest.EmbeddedUpstreams();
  private final List<EmbeddedChannel> downstreams = new ArrayList<>();
  private final List<RequestRecord> ended = new ArrayList<>();
  private ForwardConfig config;

  /** Records every request's end, as telemetry will. */
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

  private static Cluster limited(ConnectionLimits limits) {
    List<Endpoint> endpoints = List.of(new Endpoint(A, Map.of(), 1));
    return new Cluster("outbound|80||svc", "svc", "", endpoints, Meshes.roundRobin(), HashPolicy.NONE,
        UpstreamProtocol.HTTP1, ConnectionPoolSettings.DEFAULT, null, new CircuitBreaker(limits), null);
  }

  private void start(RouteAction action, RequestStack stages) {
    config = new ForwardConfig(() -> Meshes.table(host("svc", action)), new ProxyPortTargets(), upstreams,
        RequestBody.DEFAULT_REPLAY_LIMIT, () -> false, new InFlight(), stages);
  }

  private EmbeddedChannel send(HttpRequest head) {
    EmbeddedChannel ch = new EmbeddedChannel(new DownstreamHandler(config, false));
    ch.freezeTime();
    downstreams.add(ch);
    ch.writeInbound(head, LastHttpContent.EMPTY_LAST_CONTENT);
    ch.flush();
    return ch;
  }

  private static HttpRequest get(String path) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    r.headers().set("host", "svc");
    return r;
  }

  private static void advance(EmbeddedChannel ch, long millis) {
    ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    ch.runPendingTasks();
  }

  private static FullHttpResponse local(EmbeddedChannel ch) {
    Object out = ch.readOutbound();
    assertThat(out).isInstanceOf(FullHttpResponse.class);
    return (FullHttpResponse) out;
  }

  /** The status of a streamed response, its parts released. */
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

  private void respondOk(int attempt) {
    upstreams.respond(attempt, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
  }

  @Test
  void overflowIsAnswered503AtOnceAndAWaiterGetsTheNextFreeSlot() {
    Cluster cluster = limited(new ConnectionLimits(1, 1, ConnectionLimits.UNLIMITED, ConnectionLimits.UNLIMITED,
        Duration.ofSeconds(1)));
    start(forward(cluster), RequestStack.builder().push(recorder).build());
    EmbeddedChannel first = send(get("/1"));
    EmbeddedChannel second = send(get("/2"));
    EmbeddedChannel third = send(get("/3"));
    assertThat(upstreams.channels).hasSize(1);

    FullHttpResponse overflow = local(third);
    assertThat(overflow.status().code()).isEqualTo(503);
    assertThat(overflow.headers().get("x-envoy-overloaded")).isEqualTo("true");
    assertThat(overflow.headers().get("x-meshwork-error")).isEqualTo("upstream_overflow");
    overflow.release();
    assertThat(cluster.breaker().overflows()).isEqualTo(1);
    assertThat(ended).hasSize(1);
    assertThat(ended.get(0).has(ResponseFlag.UO)).isTrue();

    respondOk(0);
    assertThat(streamedStatus(first)).isEqualTo(200);
    // The freed slot went to the waiter, whose attempt starts on its own loop.
    second.runPendingTasks();
    assertThat(upstreams.channels).hasSize(2);
    respondOk(1);
    assertThat(streamedStatus(second)).isEqualTo(200);
    assertThat(cluster.breaker().active()).isZero();
    assertThat(cluster.breaker().pending()).isZero();
  }

  @Test
  void aPendingRequestTimesOutAtTheConnectTimeout() {
    Cluster cluster = limited(new ConnectionLimits(1, 1, ConnectionLimits.UNLIMITED, ConnectionLimits.UNLIMITED,
        Duration.ofMillis(500)));
    start(forward(cluster), RequestStack.builder().push(recorder).build());
    send(get("/1"));
    EmbeddedChannel second = send(get("/2"));
    advance(second, 499);
    assertThat((Object) second.readOutbound()).isNull();
    advance(second, 1);
    FullHttpResponse r = local(second);
    assertThat(r.status().code()).isEqualTo(503);
    assertThat(r.content().toString(StandardCharsets.UTF_8)).contains("connection timeout");
    r.release();
    assertThat(cluster.breaker().pending()).isZero();
    assertThat(ended.get(0).has(ResponseFlag.UF)).isTrue();
  }

  @Test
  void aCallerThatLeavesWhileWaitingGivesUpItsPlace() {
    Cluster cluster = limited(new ConnectionLimits(1, 1, ConnectionLimits.UNLIMITED, ConnectionLimits.UNLIMITED,
        Duration.ofSeconds(5)));
    start(forward(cluster), RequestStack.EMPTY);
    EmbeddedChannel first = send(get("/1"));
    EmbeddedChannel second = send(get("/2"));
    second.close();
    assertThat(cluster.breaker().pending()).isZero();
    respondOk(0);
    assertThat(streamedStatus(first)).isEqualTo(200);
    assertThat(upstreams.channels).hasSize(1);
    assertThat(cluster.breaker().active()).isZero();
  }

  @Test
  void maxRetriesBoundsTheRetriesOutstanding() {
    Cluster cluster = limited(new ConnectionLimits(ConnectionLimits.UNLIMITED, ConnectionLimits.UNLIMITED,
        ConnectionLimits.UNLIMITED, 1, Duration.ofSeconds(5)));
    RouteAction.Forward f = forward(cluster, Duration.ZERO, Meshes.retries(3, Duration.ZERO,
        io.meshwork.proxy.retry.RetryOn.FIVE_XX));
    start(f, RequestStack.EMPTY);
    EmbeddedChannel first = send(get("/1"));
    EmbeddedChannel second = send(get("/2"));
    upstreams.respond(0, "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n");
    advance(first, 50);
    assertThat(upstreams.channels).hasSize(3);
    // The second request's retry finds the one retry slot taken: its 503 goes back as it is.
    upstreams.respond(1, "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n");
    assertThat(streamedStatus(second)).isEqualTo(503);
    assertThat(cluster.breaker().retryOverflows()).isEqualTo(1);
    respondOk(2);
    assertThat(streamedStatus(first)).isEqualTo(200);
  }

  @Test
  void aBalancerThatFailsIsAnswered500AndGivesItsSlotBack() {
    List<Endpoint> endpoints = List.of(new Endpoint(A, Map.of(), 1));
    Cluster cluster = new Cluster("outbound|80||svc", "svc", "", endpoints, (eps, request) -> {
      throw new IllegalStateException("broken balancer");
    }, HashPolicy.NONE, UpstreamProtocol.HTTP1, ConnectionPoolSettings.DEFAULT, null,
        new CircuitBreaker(new ConnectionLimits(1, 1, ConnectionLimits.UNLIMITED, ConnectionLimits.UNLIMITED,
            Duration.ofSeconds(1))), null);
    start(forward(cluster), RequestStack.EMPTY);
    for (int i = 0; i < 3; i++) {
      FullHttpResponse r = local(send(get("/")));
      assertThat(r.status().code()).isEqualTo(500);
      r.release();
    }
    assertThat(cluster.breaker().active()).isZero();
    assertThat(cluster.breaker().overflows()).isZero();
  }

  private static RouteAction.Forward faulty(Cluster cluster, FaultPolicy fault) {
    return new RouteAction.Forward(
        List.of(new RouteAction.WeightedCluster(cluster, 100, HeaderOps.NONE, HeaderOps.NONE)),
        Duration.ZERO, RetryPolicy.NONE, null, null, HeaderOps.NONE, HeaderOps.NONE, fault);
  }

  @Test
  void anAbortAnswersLocallyWithItsStatusAndFlagFi() {
    Cluster cluster = limited(ConnectionLimits.NONE);
    start(faulty(cluster, new FaultPolicy(null, new FaultPolicy.Abort(418, -1, 100))),
        RequestStack.builder().push(recorder).pushAll(ProxyStacks.outbound(() -> 0.5)).build());
    // The recorder first, the fault stages second: the recorder still sees the end.
    FullHttpResponse r = local(send(get("/")));
    assertThat(r.status().code()).isEqualTo(418);
    assertThat(r.headers().get("x-meshwork-error")).isEqualTo("fault_filter_abort");
    r.release();
    assertThat(upstreams.channels).isEmpty();
    assertThat(ended.get(0).flagText()).isEqualTo("FI");
    assertThat(ended.get(0).status()).isEqualTo(418);
  }

  @Test
  void aGrpcAbortIsTrailersOnlyWithItsStatus() {
    Cluster cluster = limited(ConnectionLimits.NONE);
    start(faulty(cluster, new FaultPolicy(null, new FaultPolicy.Abort(0, 14, 100))), ProxyStacks.outbound());
    HttpRequest head = get("/pkg.Svc/Call");
    head.headers().set("content-type", "application/grpc");
    FullHttpResponse r = local(send(head));
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.headers().get("grpc-status")).isEqualTo("14");
    r.release();
  }

  @Test
  void anAbortTakesOnlyItsShareOfRequests() {
    Cluster cluster = limited(ConnectionLimits.NONE);
    double[] draws = {0.2, 0.7};
    int[] n = {0};
    start(faulty(cluster, new FaultPolicy(null, new FaultPolicy.Abort(503, -1, 50))),
        ProxyStacks.outbound(() -> draws[n[0]++ % 2]));
    FullHttpResponse aborted = local(send(get("/a")));
    assertThat(aborted.status().code()).isEqualTo(503);
    aborted.release();
    EmbeddedChannel through = send(get("/b"));
    assertThat(upstreams.channels).hasSize(1);
    respondOk(0);
    assertThat(streamedStatus(through)).isEqualTo(200);
  }

  @Test
  void aDelayHoldsTheRequestForTheFixedDelayThenForwardsIt() {
    Cluster cluster = limited(ConnectionLimits.NONE);
    start(faulty(cluster, new FaultPolicy(new FaultPolicy.Delay(Duration.ofMillis(300), 100), null)),
        RequestStack.builder().pushAll(ProxyStacks.outbound()).push(recorder).build());
    EmbeddedChannel ch = send(get("/slow"));
    advance(ch, 299);
    assertThat(upstreams.channels).isEmpty();
    advance(ch, 1);
    assertThat(upstreams.channels).hasSize(1);
    respondOk(0);
    assertThat(streamedStatus(ch)).isEqualTo(200);
    assertThat(ended.get(0).flagText()).isEqualTo("DI");
    assertThat(ended.get(0).durationNanos()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void aCallerThatLeavesDuringADelayEndsTheExchangeOnce() {
    Cluster cluster = limited(ConnectionLimits.NONE);
    start(faulty(cluster, new FaultPolicy(new FaultPolicy.Delay(Duration.ofMillis(300), 100), null)),
        RequestStack.builder().push(recorder).pushAll(ProxyStacks.outbound()).build());
    EmbeddedChannel ch = send(get("/slow"));
    ch.close();
    advance(ch, 1000);
    assertThat(upstreams.channels).isEmpty();
    assertThat(ended).hasSize(1);
    assertThat(ended.get(0).has(ResponseFlag.DC)).isTrue();
  }

  /** A stage that waits for {@code ready} on its first pass and goes on on the next; counts its passes. */
  private static final class WaitingStage implements RequestStage {
    final java.util.concurrent.CompletableFuture<Void> ready = new java.util.concurrent.CompletableFuture<>();
    final java.util.concurrent.atomic.AtomicInteger passes = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public StageVerdict onRequest(StageRequest request) {
      return passes.incrementAndGet() == 1 ? StageVerdict.Later.until(ready, Duration.ofMillis(500)) : StageVerdict.NEXT;
    }
  }

  @Test
  void aStageWaitingForAnEventRunsAgainOnTheEventLoopWhenItCompletes() throws Exception {
    WaitingStage waiting = new WaitingStage();
    start(forward(limited(ConnectionLimits.NONE)), RequestStack.builder().push(recorder).push(waiting).build());
    EmbeddedChannel ch = send(get("/wait"));
    assertThat(upstreams.channels).isEmpty();
    // Completed from another thread, as a lease answer is: the stage runs again on the channel's loop.
    Thread other = new Thread(() -> waiting.ready.complete(null));
    other.start();
    other.join();
    ch.runPendingTasks();
    assertThat(waiting.passes).hasValue(2);
    assertThat(upstreams.channels).hasSize(1);
    respondOk(0);
    assertThat(streamedStatus(ch)).isEqualTo(200);
    // The deadline timer was cancelled: nothing runs the stage a third time.
    advance(ch, 1_000);
    assertThat(waiting.passes).hasValue(2);
  }

  @Test
  void aStageWaitingForAnEventThatDoesNotComeRunsAgainAtItsDeadline() {
    WaitingStage waiting = new WaitingStage();
    start(forward(limited(ConnectionLimits.NONE)), RequestStack.builder().push(recorder).push(waiting).build());
    EmbeddedChannel ch = send(get("/wait"));
    advance(ch, 499);
    assertThat(waiting.passes).hasValue(1);
    advance(ch, 1);
    assertThat(waiting.passes).hasValue(2);
    assertThat(upstreams.channels).hasSize(1);
    // The late completion finds the wait over.
    waiting.ready.complete(null);
    ch.runPendingTasks();
    assertThat(waiting.passes).hasValue(2);
    respondOk(0);
    assertThat(streamedStatus(ch)).isEqualTo(200);
  }
}
