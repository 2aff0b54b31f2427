package io.meshwork.proxy.forward;

import io.meshwork.proxy.admission.CircuitBreaker;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.http.ErrorResponses;
import io.meshwork.proxy.http.HopByHopHeaders;
import io.meshwork.proxy.http.ProxyError;
import io.meshwork.proxy.retry.AttemptFailure;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.route.RouteDecision;
import io.meshwork.proxy.stack.RequestRecord;
import io.meshwork.proxy.tls.PeerIdentity;
import io.meshwork.proxy.stack.RequestStack;
import io.meshwork.proxy.stack.ResponseFlag;
import io.meshwork.proxy.stack.StageRequest;
import io.meshwork.proxy.stack.StageVerdict;
import io.netty.channel.Channel;import io.meshwork.proxy.upstream.UpstreamListener;
import io.meshwork.proxy.upstream.UpstreamStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One request from head to the end of its response: runs the port's request stages, routes it on
 * the snapshot it started on, picks an endpoint, runs attempts (retrying per the route's policy
 * with backoff on the event loop), enforces the per-try and route timeouts, and streams the
 * response back. Confined to the downstream channel's event loop.
 *
 * <p>An attempt ends only in {@link #endAttempt} and the exchange only in {@link #finish}, which
 * completes the request record and hands it to every stage.
 */
final class Exchange implements StageRequest {
  private static final Map<String, String> OVERLOADED = Map.of("x-envoy-overloaded", "true");
  private static final String HTTP2 = "HTTP/2";
  /** Envoy's %RESPONSE_CODE_DETAILS% for a response that came from the upstream. */
  private static final String VIA_UPSTREAM = "via_upstream";
  private static final String DIRECT_RESPONSE = "direct_response";

  private final DownstreamHandler downstream;
  private final ChannelHandlerContext ctx;
  private final ForwardConfig config;
  private HttpRequest request;
  private HttpVersion clientVersion;
  private boolean grpc;
  private boolean keepAlive;
  private boolean headRequest;
  private boolean websocket;
  private boolean bodyless;
  private HttpRequest bodylessHead;
  private boolean responseBodyless;
  private boolean finished;
  private boolean counted;
  private boolean responseStarted;
  private RequestBody body;
  private final RequestStack stages;
  private final RequestRecord record;
  private ScheduledFuture<?> stageTimer;
  private CircuitBreaker.Waiter waiter;
  private ScheduledFuture<?> pendingTimer;
  private boolean retrySlotHeld;
  private boolean resolved;
  private Target target;
  private TargetResolver.Rejected rejected;
  private RouteDecision decision;

  private RouteAction.Forward action;
  /** The mirrored copies of this request in flight, or null for none. */
  private List<Shadow> shadows;
  private RouteAction.WeightedCluster destination;
  private Cluster cluster;
  private RetryPlan plan;
  private boolean http2Upstream;
  private Attempt attempt;
  private ScheduledFuture<?> routeTimer;
  private ScheduledFuture<?> perTryTimer;
  private ScheduledFuture<?> backoffTimer;

  Exchange(DownstreamHandler downstream, ChannelHandlerContext ctx, ForwardConfig config) {
    this.downstream = downstream;
    this.ctx = ctx;
    this.config = config;
    this.stages = config.stages();
    this.record = new RequestRecord(System.nanoTime());
  }

  /**
   * Routes a request head and starts forwarding or answers it. A failure of a routing
   * component (route table, balancer, hash policy) is answered 500, never thrown at the loop.
   *
   * @param bodyless whether the request has no body at all (HTTP/1.1 without Content-Length or
   *     Transfer-Encoding, RFC 9112 §6.3; HTTP/2 HEADERS with END_STREAM): it then goes upstream
   *     as one message, so an HTTP/2 upstream sees END_STREAM on HEADERS and an HTTP/1.1 one no
   *     chunked framing; a {@code LastHttpContent} that still follows is dropped
   */
  void start(HttpRequest head, boolean bodyless) {
    this.bodyless = bodyless;
    try {
      begin(head);
    } catch (RuntimeException e) {
      internalError(e);
    }
  }

  private void internalError(RuntimeException e) {
    if (!finished) {
      Attempt a = attempt;
      if (a != null) {
        endAttempt(a, AttemptEnd.ABORT);
      }
      error(ProxyError.INTERNAL, "internal error: " + e.getClass().getSimpleName());
    }
  }

  private void begin(HttpRequest head) {
    counted = true;
    config.inFlight().started();
    request = head;
    clientVersion = head.protocolVersion();
    grpc = ErrorResponses.isGrpc(head);
    record.request(head.method().name(), head.headers().get(HttpHeaderNames.HOST), head.uri(), grpc);
    record.peer(PeerIdentity.of(ctx.channel()).orElse(null));
    record.downstream(downstream.isHttp2() ? HTTP2 : head.protocolVersion().text(), head.headers(),
        downstream.remoteAddress());
    keepAlive = downstream.isHttp2() || HttpUtil.isKeepAlive(head);
    headRequest = HttpMethod.HEAD.equals(head.method());
    websocket = !downstream.isHttp2() && ForwardedHeads.isWebSocketUpgrade(head.headers());
    // Held from the start: a stage may suspend the request while its body arrives.
    body = new RequestBody(config.replayLimit());
    runStages(0);
  }

  /** Runs the stages from {@code from} on; after the last one, the router. */
  private void runStages(int from) {
    for (int i = from; i < stages.size(); i++) {
      switch (stages.get(i).onRequest(this)) {
        case StageVerdict.Next n -> {}
        case StageVerdict.Answer a -> {
          answer(a);
          return;
        }
        case StageVerdict.Later l -> {
          if (l.until() == null) {
            int resume = i + 1;
            stageTimer = ctx.executor().schedule(() -> resumeStages(resume), l.delay().toNanos(), TimeUnit.NANOSECONDS);
          } else {
            awaitStage(i, l);
          }
          return;
        }
      }
    }
    dispatch();
  }

  /**
   * Runs stage {@code again} anew once {@code later.until()} completes or its deadline passes, whichever is first; the
   * completion may come on any thread, the stage runs on this exchange's event loop.
   */
  private void awaitStage(int again, StageVerdict.Later later) {
    StageWait wait = new StageWait(again);
    stageTimer = ctx.executor().schedule(wait, later.delay().toNanos(), TimeUnit.NANOSECONDS);
    later.until().whenComplete((v, e) -> ctx.executor().execute(wait));
  }

  /** One wait of a stage: the first of its deadline and its completion resumes; the other finds it done. */
  private final class StageWait implements Runnable {
    private final int again;
    private boolean done;

    StageWait(int again) {
      this.again = again;
    }

    @Override
    public void run() {
      if (done) {
        return;
      }
      done = true;
      cancel(stageTimer);
      resumeStages(again);
    }
  }

  private void resumeStages(int from) {
    stageTimer = null;
    if (finished) {
      return;
    }
    try {
      runStages(from);
    } catch (RuntimeException e) {
      internalError(e);
    }
  }

  @Override
  public HttpRequest head() {
    return request;
  }

  @Override
  public Channel channel() {
    return ctx.channel();
  }

  @Override
  public boolean grpc() {
    return grpc;
  }

  @Override
  public RequestRecord record() {
    return record;
  }

  /** Resolves the target and routes once, on the route table read when this is first asked. */
  @Override
  public RouteDecision route() {
    if (!resolved) {
      resolved = true;
      switch (config.targets().resolve(request, downstream.remoteAddress())) {
        case TargetResolver.Rejected r -> rejected = r;
        case TargetResolver.Resolved(Target t) -> {
          target = t;
          // A CONNECT names a host and port to tunnel to, not a resource: no HTTP route applies.
          decision = HttpMethod.CONNECT.equals(request.method()) ? null : config.routes().get()
              .route(request, t.host(), t.port(), t.path(), ThreadLocalRandom.current().nextDouble());
        }
      }
    }
    return decision;
  }

  private void dispatch() {
    RouteDecision routed = route();
    if (rejected != null) {
      error(rejected.error(), rejected.message());
      return;
    }
    if (routed == null) {
      tunnel();
      return;
    }
    switch (routed) {
      case RouteDecision.UnknownHost u -> unknownHost(u);
      case RouteDecision.NoRouteMatched n -> {
        record.flag(ResponseFlag.NR);
        error(ProxyError.NO_ROUTE, "no route matched for host \"" + n.host() + "\" path \"" + target.path() + "\"");
      }
      case RouteDecision.Matched m -> {
        record.routeName(m.route().name());
        switch (m.route().action()) {
          case RouteAction.Redirect r -> {
            record.details(DIRECT_RESPONSE);
            respond(LocalAnswers.redirect(r, request, target));
          }
          case RouteAction.DirectResponse d -> {
            record.details(DIRECT_RESPONSE);
            respond(LocalAnswers.direct(ctx.alloc(), d));
          }
          case RouteAction.Forward f -> forward(m, f, target);
        }
      }
    }
  }

  /** A host no route knows: the port's egress policy decides (passthrough or refusal); without one it is a 404. */
  private void unknownHost(RouteDecision.UnknownHost u) {
    if (config.egress() == null) {
      record.flag(ResponseFlag.NR);
      error(ProxyError.UNKNOWN_HOST, "no route for host \"" + u.host() + "\"");
      return;
    }
    config.egress().passthrough(ctx.channel().eventLoop(), request, target, this::onPassage);
  }

  private void onPassage(Egress.Passage passage) {
    if (finished) {
      return;
    }
    try {
      switch (passage) {
        case Egress.Refused r -> {
          record.flag(ResponseFlag.NR);
          error(r.error(), r.message());
        }
        case Egress.Through t -> forward(t.decision(), (RouteAction.Forward) t.decision().route().action(), target);
      }
    } catch (RuntimeException e) {
      internalError(e);
    }
  }

  /** A CONNECT (RFC 9110 §9.3.6): 200 and a byte splice once the egress policy let the tunnel open. */
  private void tunnel() {
    if (config.egress() == null) {
      error(ProxyError.METHOD_NOT_ALLOWED, "CONNECT is not supported on this port");
      return;
    }
    if (downstream.isHttp2()) {
      // RFC 9113 §8.5 makes CONNECT over HTTP/2 a stream tunnel; this port tunnels HTTP/1.1 connections only.
      error(ProxyError.NOT_IMPLEMENTED, "CONNECT over HTTP/2 is not supported; send it over HTTP/1.1");
      return;
    }
    config.egress().tunnel(ctx.channel().eventLoop(), target, this::onTunnel);
  }

  private void onTunnel(Egress.Tunnel tunnel) {
    switch (tunnel) {
      case Egress.Refused r -> {
        if (!finished) {
          error(r.error(), r.message());
        }
      }
      case Egress.Opened o when finished || !ctx.channel().isActive() -> o.upstream().close();
      case Egress.Opened o -> {
        record.routed(o.destination());
        record.details(VIA_UPSTREAM);
        responseStarted = true;
        record.status(HttpResponseStatus.OK.code());
        finish();
        // RFC 9110 §9.3.6: a 2xx to CONNECT has no Content-Length or Transfer-Encoding; bytes follow it.
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), ctx.voidPromise());
        downstream.switchToConnectTunnel(o.upstream(), o.traffic());
      }
    }
  }

  private void forward(RouteDecision.Matched m, RouteAction.Forward f, Target target) {
    action = f;
    destination = m.destination();
    cluster = m.cluster();
    record.routed(cluster.name());
    http2Upstream = !websocket && speaksHttp2(cluster);
    HashPolicy hashPolicy = cluster.hashPolicy();
    long hash = hashPolicy != null && hashPolicy != HashPolicy.NONE
        ? hashPolicy.hash(request, downstream.remoteAddress()) : HashPolicy.NO_HASH;
    plan = new RetryPlan(f.retries(), hash);
    ForwardedHeads.upstreamRequest(request, target, m, action, downstream.clientIp(), websocket);
    if (!f.mirrors().isEmpty() && !websocket) {
      startShadows(f);
    }
    Duration timeout = f.timeout();
    if (timeout != null && !timeout.isZero() && !timeout.isNegative()) {
      routeTimer = ctx.executor().schedule(this::onRouteTimeout, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    startAttempt();
  }

  private void startAttempt() {
    backoffTimer = null;
    if (finished) {
      return;
    }
    try {
      pickAndAcquire();
    } catch (RuntimeException e) {
      internalError(e);
    }
  }

  /** Asks the cluster's circuit breaker for a request slot, then picks an endpoint and starts an attempt. */
  private void pickAndAcquire() {
    switch (cluster.breaker().admit(http2Upstream, ctx.executor(), this::onAdmitted)) {
      case CircuitBreaker.Admitted a -> pickAndStart();
      case CircuitBreaker.Overflow o -> overflow();
      case CircuitBreaker.Waiter w -> {
        waiter = w;
        pendingTimer = ctx.executor().schedule(this::onPendingTimeout,
            cluster.breaker().limits().pendingTimeout().toNanos(), TimeUnit.NANOSECONDS);
      }
    }
  }

  /** A slot freed up for this waiting request; runs on this exchange's event loop. */
  private void onAdmitted() {
    waiter = null;
    cancel(pendingTimer);
    pendingTimer = null;
    if (finished) {
      cluster.breaker().release(http2Upstream);
      return;
    }
    try {
      pickAndStart();
    } catch (RuntimeException e) {
      internalError(e);
    }
  }

  /** Waited for a slot as long as a connection may take to open (Envoy: pending requests time out at connectTimeout). */
  private void onPendingTimeout() {
    pendingTimer = null;
    CircuitBreaker.Waiter w = waiter;
    if (w == null || finished || !w.cancel()) {
      return;
    }
    waiter = null;
    record.flag(ResponseFlag.UF);
    error(ProxyError.UPSTREAM_CONNECT,
        "upstream connect error or disconnect/reset before headers. reset reason: connection timeout");
  }

  /**
   * The circuit breaker refused the request: 503 at once with {@code x-envoy-overloaded: true}, flag UO
   * (gRPC callers get UNAVAILABLE).
   */
  private void overflow() {
    answer(new StageVerdict.Answer(503, 14, "upstream_overflow",
        "upstream connect error or disconnect/reset before headers. reset reason: overflow",
        OVERLOADED, ResponseFlag.UO));
  }

  private void pickAndStart() {
    Endpoint endpoint;
    try {
      endpoint = plan.pick(cluster);
    } catch (RuntimeException e) {
      // A broken balancer is answered 500 by the caller; the slot it was admitted with goes back.
      cluster.breaker().release(http2Upstream);
      throw e;
    }
    if (endpoint == null) {
      cluster.breaker().release(http2Upstream);
      releaseRetrySlot();
      record.flag(ResponseFlag.UH);
      error(ProxyError.NO_HEALTHY_UPSTREAM,
          "no healthy endpoint for \"" + cluster.host() + "\" (cluster " + cluster.name() + ")");
      return;
    }
    Attempt a = new Attempt(endpoint, retrySlotHeld);
    retrySlotHeld = false;
    attempt = a;
    endpoint.requestStarted();
    record.attemptStarted(endpoint.authority());
    Duration perTry = plan.perTryTimeout();
    if (perTry != null) {
      perTryTimer = ctx.executor().schedule(() -> onPerTryTimeout(a), perTry.toNanos(), TimeUnit.NANOSECONDS);
    }
    config.upstreams().acquire(
        ctx.channel().eventLoop(), endpoint.address(), http2Upstream, websocket, cluster.pool(), a);
  }

  /** Whether requests to {@code target} go as HTTP/2: its protocol says so, or it follows an HTTP/2 downstream. */
  private boolean speaksHttp2(Cluster target) {
    return target.protocol() == UpstreamProtocol.HTTP2
        || (target.protocol() == UpstreamProtocol.USE_DOWNSTREAM && downstream.isHttp2());
  }

  /** Sends each mirror its copy, as the route's shares draw it; copies never hold up this request. */
  private void startShadows(RouteAction.Forward f) {
    List<Shadow> started = new ArrayList<>(f.mirrors().size());
    for (RouteAction.Mirror mirror : f.mirrors()) {
      if (mirror.percent() < 100 && ThreadLocalRandom.current().nextDouble() * 100 >= mirror.percent()) {
        continue;
      }
      Shadow shadow = Shadow.start(ctx.channel().eventLoop(), config.upstreams(), mirror, request, bodyless,
          speaksHttp2(mirror.cluster()), f.timeout(), config.mirrors());
      if (shadow != null) {
        if (body != null && !bodyless) {
          body.copyUnsent(shadow::content);
        }
        started.add(shadow);
      }
    }
    shadows = started.isEmpty() ? null : started;
  }

  /** A body part from downstream; ownership passes here. */
  void onRequestContent(HttpContent content) {
    if (shadows != null && !bodyless) {
      for (Shadow shadow : shadows) {
        shadow.content(content.retainedDuplicate());
      }
    }
    if (finished || body == null || bodyless) {
      content.release();
      return;
    }
    record.received(content.content().readableBytes());
    body.add(content);
    Attempt a = attempt;
    if (a != null && a.stream != null) {
      body.sendTo(a.stream);
      if (!a.stream.isWritable()) {
        downstream.setUploadPaused(true);
      }
    } else if (body.overLimit()) {
      downstream.setUploadPaused(true);
    }
  }

  void onDownstreamReadComplete() {
    if (shadows != null) {
      shadows.forEach(Shadow::flush);
    }
    Attempt a = attempt;
    if (a != null && a.stream != null) {
      a.stream.flush();
    }
  }

  void onDownstreamWritabilityChanged(boolean writable) {
    Attempt a = attempt;
    if (a != null && a.stream != null && responseStarted) {
      a.stream.setReadable(writable);
    }
  }

  /** Whether anything of a response went downstream; until then a broken request can still be answered. */
  boolean responseStarted() {
    return responseStarted;
  }

  /** The downstream went away: abandon everything. */
  void cancel() {
    if (shadows != null) {
      shadows.forEach(Shadow::requestAbandoned);
    }
    if (!finished) {
      record.flag(ResponseFlag.DC);
      record.details("downstream_remote_disconnect");
    }
    finish();
  }

  private void onPerTryTimeout(Attempt a) {
    if (attempt == a && !responseStarted) {
      attemptFailed(a, AttemptFailure.PER_TRY_TIMEOUT, null);
    }
  }

  private void onRouteTimeout() {
    routeTimer = null;
    if (finished) {
      return;
    }
    Attempt a = attempt;
    if (a != null) {
      endAttempt(a, AttemptEnd.ABORT);
    }
    record.flag(ResponseFlag.UT);
    if (responseStarted) {
      failMidStream();
    } else {
      error(ProxyError.UPSTREAM_TIMEOUT, "upstream request timeout");
    }
  }

  private void attemptFailed(Attempt a, AttemptFailure failure, Throwable cause) {
    a.failure = failure;
    endAttempt(a, AttemptEnd.ABORT);
    if (finished) {
      return;
    }
    if (responseStarted) {
      failMidStream();
      return;
    }
    if (plan.staleConnectionRetry(failure, a.stream != null && a.stream.reused(), body.isReplayable(), websocket,
        request.method())) {
      body.rewind();
      startAttempt();
      return;
    }
    if (retryOrFlag(plan.onFailure(failure, body.isReplayable(), websocket, request.method()))) {
      scheduleRetry();
      return;
    }
    if (failure == AttemptFailure.PER_TRY_TIMEOUT) {
      record.flag(ResponseFlag.UT);
      error(ProxyError.UPSTREAM_TIMEOUT, "upstream request timeout");
    } else {
      record.flag(ResponseFlag.UF);
      error(ProxyError.UPSTREAM_CONNECT, LocalAnswers.resetBeforeHeaders(failure));
    }
  }

  /** The bodyless request as one message (a {@code LastHttpContent} too), made once and written by each attempt. */
  private HttpRequest wholeRequest() {
    if (bodylessHead == null) {
      bodylessHead = new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
          Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE);
    }
    return bodylessHead;
  }

  /**
   * Whether a retry is made: the plan allows one and a retry slot is had. A retriable outcome that
   * is not retried is flagged as Envoy's router does: URX when the route's retries are used up, UO
   * when the cluster's retry slots are.
   */
  private boolean retryOrFlag(RetryPlan.Decision decision) {
    return switch (decision) {
      case FINAL -> false;
      case EXHAUSTED -> {
        record.flag(ResponseFlag.URX);
        yield false;
      }
      case RETRY -> {
        if (takeRetrySlot()) {
          yield true;
        }
        record.flag(ResponseFlag.UO);
        yield false;
      }
    };
  }

  /** Takes one of the cluster's retry slots (Istio {@code maxRetries}); without one the failure is final. */
  private boolean takeRetrySlot() {
    if (!cluster.breaker().tryRetry()) {
      return false;
    }
    retrySlotHeld = true;
    return true;
  }

  private void scheduleRetry() {
    body.rewind();
    long delay = plan.nextBackoffNanos(ThreadLocalRandom.current().nextDouble());
    backoffTimer = ctx.executor().schedule(this::startAttempt, delay, TimeUnit.NANOSECONDS);
  }

  private void onResponseHead(Attempt a, HttpResponse head, boolean endOfStream) {
    int status = head.status().code();
    int grpcStatus = grpc ? ForwardedHeads.grpcStatus(head.headers()) : -1;
    a.status = status;
    if (retryOrFlag(plan.onResponse(status, grpcStatus, head.headers(), request.headers(), body.isReplayable(),
        websocket))) {
      // Discard the response: closing the HTTP/1.1 connection or resetting the stream is
      // cheaper than draining a body nobody will read.
      endAttempt(a, AttemptEnd.ABORT);
      scheduleRetry();
      return;
    }
    cancel(perTryTimer);
    perTryTimer = null;
    responseStarted = true;
    record.status(status);
    record.details(VIA_UPSTREAM);
    record.responseHeaders(head.headers());
    responseBodyless = endOfStream || (!http2Upstream && hasNoBody(head));
    keepAlive = ForwardedHeads.downstreamResponse(head, action, destination, downstream.isHttp2(), clientVersion,
        headRequest, responseBodyless, keepAlive && !config.draining().getAsBoolean(), websocket);
    if (action.cors() != null) {
      action.cors().decorate(request.headers(), head.headers());
    }
    if (websocket && status == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      ctx.writeAndFlush(head);
      endAttempt(a, AttemptEnd.TUNNEL);
      finish();
      downstream.switchToTunnel(a.stream.channel());
      return;
    }
    if (responseBodyless) {
      // One message, so HTTP/2 downstreams get END_STREAM on HEADERS (a gRPC trailers-only
      // response, RFC 9113 §8.1) and HTTP/1.1 ones a complete head; the empty LastHttpContent that
      // ends the upstream's response is dropped.
      ctx.write(new DefaultFullHttpResponse(head.protocolVersion(), head.status(), Unpooled.EMPTY_BUFFER,
          head.headers(), EmptyHttpHeaders.INSTANCE), ctx.voidPromise());
      return;
    }
    ctx.write(head, ctx.voidPromise());
  }

  /** An HTTP/1.1 response head that says no body follows (RFC 9112 §6.3). */
  private boolean hasNoBody(HttpResponse head) {
    int code = head.status().code();
    return headRequest || code == 204 || code == 304
        || (!HttpUtil.isTransferEncodingChunked(head) && "0".equals(head.headers().get(HttpHeaderNames.CONTENT_LENGTH)));
  }

  private void onResponseContent(Attempt a, HttpContent content) {
    if (!responseStarted) {
      content.release();
      return;
    }
    if (responseBodyless) {
      content.release();
    } else {
      record.sent(content.content().readableBytes());
      ctx.write(content, ctx.voidPromise());
    }
    if (content instanceof LastHttpContent) {
      endAttempt(a, AttemptEnd.DONE);
      finish();
      ctx.flush();
      downstream.exchangeComplete(!keepAlive);
    } else if (!ctx.channel().isWritable()) {
      a.stream.setReadable(false);
    }
  }

  private void onInformational(HttpResponse head) {
    // 100 Continue and friends are forwarded so an Expect: 100-continue client sends its body
    // (RFC 9110 §10.1.1). An interim response is a whole message: the HTTP/1.1 encoder then
    // expects the final head next, and the HTTP/2 one sends it as HEADERS without END_STREAM.
    HopByHopHeaders.strip(head.headers(), false);
    FullHttpResponse interim = head instanceof FullHttpResponse full ? full
        : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status(), Unpooled.EMPTY_BUFFER, head.headers(),
            EmptyHttpHeaders.INSTANCE);
    if (!downstream.isHttp2()) {
      interim.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
    ctx.writeAndFlush(interim, ctx.voidPromise());
  }

  private void error(ProxyError error, String message) {
    if (responseStarted) {
      failMidStream();
      return;
    }
    if (error == ProxyError.BAD_REQUEST) {
      keepAlive = false;
    }
    if (record.details() == null) {
      record.details(error.reason());
    }
    respond(ErrorResponses.of(ctx.alloc(), error, message, grpc));
  }

  /** A stage's local answer: 400 path, 401, 403, a fault abort. */
  private void answer(StageVerdict.Answer a) {
    if (a.status() == HttpResponseStatus.BAD_REQUEST.code()) {
      keepAlive = false;
    }
    if (a.flag() != null) {
      record.flag(a.flag());
    }
    if (record.details() == null) {
      record.details(a.reason());
    }
    FullHttpResponse response;
    if (grpc || (a.grpcStatus() >= 0 && a.status() == HttpResponseStatus.OK.code())) {
      response = ErrorResponses.of(ctx.alloc(), ProxyError.INTERNAL, a.message(), true);
      response.headers().setInt(ErrorResponses.GRPC_STATUS, a.effectiveGrpcStatus());
      response.headers().set(ErrorResponses.X_MESHWORK_ERROR, a.reason());
    } else if (a.message().isEmpty()) {
      // An answer that is all headers (a CORS preflight).
      response = ErrorResponses.empty(HttpResponseStatus.valueOf(a.status()));
    } else {
      response = ErrorResponses.text(ctx.alloc(), HttpResponseStatus.valueOf(a.status()), a.reason(), a.message() + "\n");
    }
    a.headers().forEach(response.headers()::set);
    respond(response);
  }

  private void respond(FullHttpResponse response) {
    responseStarted = true;
    record.status(response.status().code());
    record.responseHeaders(response.headers());
    record.sent(response.content().readableBytes());
    finish();
    if (!downstream.isHttp2()) {
      response.setProtocolVersion(HttpVersion.HTTP_1_1);
      keepAlive = keepAlive && !config.draining().getAsBoolean();
      ForwardedHeads.connectionHeader(response.headers(), keepAlive, clientVersion);
    }
    ctx.writeAndFlush(response, ctx.voidPromise());
    downstream.exchangeComplete(!keepAlive);
  }

  /** The response broke after its head went downstream: the client must see a failure, not a short body. */
  private void failMidStream() {
    finish();
    downstream.abortResponse();
  }

  /**
   * The one place an exchange ends, however it ends: the current attempt is aborted, timers and the
   * held body released, and the request record completed and handed to every stage.
   */
  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    Attempt a = attempt;
    if (a != null) {
      endAttempt(a, AttemptEnd.ABORT);
    }
    CircuitBreaker.Waiter w = waiter;
    waiter = null;
    if (w != null) {
      // When the grant won the race, onAdmitted runs next and gives the slot back.
      w.cancel();
    }
    releaseRetrySlot();
    cleanup();
    if (record.end(System.nanoTime())) {
      stages.ended(record);
    }
  }

  /** How an attempt ends: its stream completed, aborted, or handed over as a WebSocket tunnel. */
  private enum AttemptEnd { DONE, ABORT, TUNNEL }

  /**
   * The one place an attempt ends: it stops being current, its per-try timer stops, its claim on the
   * endpoint ends, and its stream is finished, aborted or left to a tunnel.
   */
  private void endAttempt(Attempt a, AttemptEnd how) {
    if (attempt == a) {
      attempt = null;
      cancel(perTryTimer);
      perTryTimer = null;
    }
    if (a.ended) {
      return;
    }
    a.ended = true;
    a.endpoint.requestFinished();
    cluster.health().attemptEnded(a.endpoint, a.status, a.failure != null);
    cluster.breaker().release(http2Upstream);
    if (a.retrySlot) {
      cluster.breaker().retryDone();
    }
    if (a.stream != null) {
      switch (how) {
        case DONE -> a.stream.done();
        case ABORT -> a.stream.abort();
        case TUNNEL -> {}
      }
    }
  }

  private void releaseRetrySlot() {
    if (retrySlotHeld) {
      retrySlotHeld = false;
      cluster.breaker().retryDone();
    }
  }

  private void cleanup() {
    cancel(pendingTimer);
    pendingTimer = null;
    cancel(routeTimer);
    cancel(perTryTimer);
    cancel(backoffTimer);
    cancel(stageTimer);
    routeTimer = null;
    perTryTimer = null;
    backoffTimer = null;
    stageTimer = null;
    if (body != null) {
      body.release();
    }
    if (counted) {
      counted = false;
      config.inFlight().finished();
    }
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  /** One try at one endpoint; callbacks for an attempt that is no longer current are ignored. */
  private final class Attempt implements UpstreamListener {
    final Endpoint endpoint;
    UpstreamStream stream;
    boolean ended;
    /** The response status, or 0 before a head. */
    int status;
    /** Why it failed, or null. */
    AttemptFailure failure;

    /** Whether this attempt is a retry holding one of the cluster's {@code maxRetries} slots. */
    final boolean retrySlot;

    Attempt(Endpoint endpoint, boolean retrySlot) {
      this.endpoint = endpoint;
      this.retrySlot = retrySlot;
    }

    @Override
    public void onAcquired(UpstreamStream s) {
      if (attempt != this) {
        s.abort();
        return;
      }
      stream = s;
      // Envoy's x-envoy-attempt-count: the router that retries numbers its attempts; a hop that
      // does not retry (the callee's sidecar) keeps the caller's count.
      if (plan.numbersAttempts() || !request.headers().contains(ForwardedHeads.X_ATTEMPT_COUNT)) {
        request.headers().setInt(ForwardedHeads.X_ATTEMPT_COUNT, plan.attemptNumber());
      }
      if (bodyless) {
        s.write(wholeRequest());
      } else {
        s.write(request);
        body.sendTo(s);
      }
      s.flush();
      downstream.setUploadPaused(!s.isWritable());
    }

    @Override
    public void onAcquireFailed(AttemptFailure failure, Throwable cause) {
      if (attempt == this) {
        attemptFailed(this, failure, cause);
      }
    }

    @Override
    public void onInformational(HttpResponse head) {
      if (attempt == this && !finished) {
        Exchange.this.onInformational(head);
      }
    }

    @Override
    public void onResponseHead(HttpResponse head, boolean endOfStream) {
      if (attempt == this && !finished) {
        Exchange.this.onResponseHead(this, head, endOfStream);
      }
    }

    @Override
    public void onResponseContent(HttpContent content) {
      if (attempt == this && !finished) {
        Exchange.this.onResponseContent(this, content);
      } else {
        content.release();
      }
    }

    @Override
    public void onResponseReadComplete() {
      if (attempt == this) {
        ctx.flush();
      }
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
      if (attempt == this) {
        downstream.setUploadPaused(!writable);
      }
    }

    @Override
    public void onStreamFailure(AttemptFailure failure, Throwable cause) {
      if (attempt == this) {
        attemptFailed(this, failure, cause);
      }
    }
  }
}
