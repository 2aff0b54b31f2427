package io.meshwork.proxy.forward;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.http.ErrorResponses;
import io.meshwork.proxy.http.HopByHopHeaders;
import io.meshwork.proxy.http.ProxyError;
import io.meshwork.proxy.policy.RequestFilter;
import io.meshwork.proxy.retry.AttemptFailure;
import io.meshwork.proxy.retry.Backoff;
import io.meshwork.proxy.retry.RetryPolicy;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.route.RouteDecision;
import io.meshwork.proxy.upstream.UpstreamListener;
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
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One request from head to the end of its response: routes it, picks an endpoint, runs attempts
 * (retrying per the route's policy with backoff on the event loop), enforces the per-try and route
 * timeouts, and streams the response back. Confined to the downstream channel's event loop.
 */
final class Exchange {

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

  private RouteAction.Forward action;
  private RouteAction.WeightedCluster destination;
  private Cluster cluster;
  private RetryPolicy retries;
  private int retriesDone;
  private long hash;
  private boolean hasHash;
  private Set<Endpoint> tried;
  private boolean http2Upstream;
  private boolean staleConnectionRetried;
  private Attempt attempt;
  private ScheduledFuture<?> routeTimer;
  private ScheduledFuture<?> perTryTimer;
  private ScheduledFuture<?> backoffTimer;

  Exchange(DownstreamHandler downstream, ChannelHandlerContext ctx, ForwardConfig config) {
    this.downstream = downstream;
    this.ctx = ctx;
    this.config = config;
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
      attempt = null;
      if (a != null) {
        a.release(true);
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
    keepAlive = downstream.isHttp2() || HttpUtil.isKeepAlive(head);
    headRequest = HttpMethod.HEAD.equals(head.method());
    websocket = !downstream.isHttp2() && ForwardedHeads.isWebSocketUpgrade(head.headers());
    if (config.filter().check(head, ctx.channel()) instanceof RequestFilter.Reject r) {
      reject(r);
      return;
    }
    TargetResolver.Resolution resolution = config.targets().resolve(head, downstream.remoteAddress());
    switch (resolution) {
      case TargetResolver.Rejected r -> error(r.error(), r.message());
      case TargetResolver.Resolved(Target target) -> route(target);
    }
  }

  private void route(Target target) {
    RouteDecision decision = config.routes().get()
        .route(request, target.host(), target.port(), target.path(), ThreadLocalRandom.current().nextDouble());
    switch (decision) {
      case RouteDecision.UnknownHost u -> error(ProxyError.UNKNOWN_HOST, "no route for host \"" + u.host() + "\"");
      case RouteDecision.NoRouteMatched n ->
          error(ProxyError.NO_ROUTE, "no route matched for host \"" + n.host() + "\" path \"" + target.path() + "\"");
      case RouteDecision.Matched m -> {
        switch (m.route().action()) {
          case RouteAction.Redirect r -> respond(LocalAnswers.redirect(r, request, target));
          case RouteAction.DirectResponse d -> respond(LocalAnswers.direct(ctx.alloc(), d));
          case RouteAction.Forward f -> forward(m, f, target);
        }
      }
    }
  }

  private void forward(RouteDecision.Matched m, RouteAction.Forward f, Target target) {
    action = f;
    destination = m.destination();
    cluster = m.cluster();
    retries = f.retries() != null ? f.retries() : RetryPolicy.NONE;
    http2Upstream = !websocket && (cluster.protocol() == UpstreamProtocol.HTTP2
        || (cluster.protocol() == UpstreamProtocol.USE_DOWNSTREAM && downstream.isHttp2()));
    HashPolicy hashPolicy = cluster.hashPolicy();
    if (hashPolicy != null && hashPolicy != HashPolicy.NONE) {
      long h = hashPolicy.hash(request, downstream.remoteAddress());
      hasHash = h != HashPolicy.NO_HASH;
      hash = h;
    }
    ForwardedHeads.upstreamRequest(request, target, m, action, downstream.clientIp(), websocket);
    body = new RequestBody(config.replayLimit());
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

  private void pickAndAcquire() {
    Endpoint endpoint = cluster.pick(hash, hasHash, tried == null ? Set.of() : tried);
    if (endpoint == null) {
      error(ProxyError.NO_HEALTHY_UPSTREAM,
          "no healthy endpoint for \"" + cluster.host() + "\" (cluster " + cluster.name() + ")");
      return;
    }
    if (retries.attempts() > 0) {
      if (tried == null) {
        tried = new HashSet<>(4);
      }
      tried.add(endpoint);
    }
    Attempt a = new Attempt(endpoint);
    attempt = a;
    endpoint.requestStarted();
    Duration perTry = retries.perTryTimeout();
    if (perTry != null && !perTry.isZero() && !perTry.isNegative()) {
      perTryTimer = ctx.executor().schedule(() -> onPerTryTimeout(a), perTry.toNanos(), TimeUnit.NANOSECONDS);
    }
    config.upstreams().acquire(
        ctx.channel().eventLoop(), endpoint.address(), http2Upstream, websocket, cluster.pool(), a);
  }

  /** A body part from downstream; ownership passes here. */
  void onRequestContent(HttpContent content) {
    if (finished || body == null || bodyless) {
      content.release();
      return;
    }
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
    if (finished) {
      return;
    }
    finished = true;
    Attempt a = attempt;
    attempt = null;
    if (a != null) {
      a.release(true);
    }
    cleanup();
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
    attempt = null;
    if (a != null) {
      a.release(true);
    }
    if (responseStarted) {
      failMidStream();
    } else {
      error(ProxyError.UPSTREAM_TIMEOUT, "upstream request timeout");
    }
  }

  private void attemptFailed(Attempt a, AttemptFailure failure, Throwable cause) {
    attempt = null;
    cancel(perTryTimer);
    perTryTimer = null;
    a.release(true);
    if (finished) {
      return;
    }
    if (responseStarted) {
      failMidStream();
      return;
    }
    if (failure == AttemptFailure.RESET && a.stream != null && a.stream.reused() && !staleConnectionRetried
        && body.isReplayable() && !websocket && isIdempotent(request.method())) {
      // The upstream most likely closed a kept-alive connection as it was reused; an idempotent
      // request may be sent again on a fresh one (RFC 9110 §9.2.2, RFC 9112 §9.3.1), outside the
      // route's retry policy.
      staleConnectionRetried = true;
      body.rewind();
      startAttempt();
      return;
    }
    if (canRetry() && retries.retriableFailure(failure) && (isIdempotent(request.method()) || neverReceived(failure))) {
      scheduleRetry();
      return;
    }
    if (failure == AttemptFailure.PER_TRY_TIMEOUT) {
      error(ProxyError.UPSTREAM_TIMEOUT, "upstream request timeout");
    } else {
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

  private boolean canRetry() {
    return retriesDone < retries.attempts() && body.isReplayable() && !websocket;
  }

  private void scheduleRetry() {
    retriesDone++;
    body.rewind();
    long delay = Backoff.of(retries).delayNanos(retriesDone, ThreadLocalRandom.current().nextDouble());
    backoffTimer = ctx.executor().schedule(this::startAttempt, delay, TimeUnit.NANOSECONDS);
  }

  /**
   * Whether the upstream provably never saw the request: no connection, or an HTTP/2 stream it
   * refused (REFUSED_STREAM, or above a GOAWAY's last stream id, RFC 9113 §8.7). After a reset or a
   * per-try timeout it may have acted on it, so only idempotent requests are sent again
   * (RFC 9110 §9.2.2): a POST is never executed twice because of the proxy.
   */
  private static boolean neverReceived(AttemptFailure failure) {
    return failure == AttemptFailure.CONNECT_FAILURE || failure == AttemptFailure.REFUSED_STREAM;
  }

  private static boolean isIdempotent(HttpMethod method) {
    return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.PUT.equals(method)
        || HttpMethod.DELETE.equals(method) || HttpMethod.OPTIONS.equals(method) || HttpMethod.TRACE.equals(method);
  }

  private void onResponseHead(Attempt a, HttpResponse head, boolean endOfStream) {
    int status = head.status().code();
    int grpcStatus = grpc ? ForwardedHeads.grpcStatus(head.headers()) : -1;
    if (canRetry() && retries.retriableResponse(status, grpcStatus)) {
      // Discard the response: closing the HTTP/1.1 connection or resetting the stream is
      // cheaper than draining a body nobody will read.
      attempt = null;
      cancel(perTryTimer);
      perTryTimer = null;
      a.release(true);
      scheduleRetry();
      return;
    }
    cancel(perTryTimer);
    perTryTimer = null;
    responseStarted = true;
    responseBodyless = endOfStream || (!http2Upstream && hasNoBody(head));
    keepAlive = ForwardedHeads.downstreamResponse(head, action, destination, downstream.isHttp2(), clientVersion,
        headRequest, responseBodyless, keepAlive && !config.draining().getAsBoolean(), websocket);
    if (websocket && status == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      ctx.writeAndFlush(head);
      finished = true;
      attempt = null;
      a.releaseEndpoint();
      cleanup();
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
      ctx.write(content, ctx.voidPromise());
    }
    if (content instanceof LastHttpContent) {
      finished = true;
      attempt = null;
      a.release(false);
      cleanup();
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
    respond(ErrorResponses.of(ctx.alloc(), error, message, grpc));
  }

  /** A request the port's filter refused (400 path, 401 authentication, 403 authorization). */
  private void reject(RequestFilter.Reject r) {
    if (r.error() == ProxyError.BAD_REQUEST) {
      keepAlive = false;
    }
    FullHttpResponse response = ErrorResponses.of(ctx.alloc(), r.error(), r.message(), grpc);
    r.headers().forEach(response.headers()::set);
    respond(response);
  }

  private void respond(FullHttpResponse response) {
    finished = true;
    responseStarted = true;
    Attempt a = attempt;
    attempt = null;
    if (a != null) {
      a.release(true);
    }
    cleanup();
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
    finished = true;
    cleanup();
    downstream.abortResponse();
  }

  private void cleanup() {
    cancel(routeTimer);
    cancel(perTryTimer);
    cancel(backoffTimer);
    routeTimer = null;
    perTryTimer = null;
    backoffTimer = null;
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
    private boolean counted = true;

    Attempt(Endpoint endpoint) {
      this.endpoint = endpoint;
    }

    /** Ends this attempt's claim on the endpoint and its stream. */
    void release(boolean abort) {
      releaseEndpoint();
      if (stream != null) {
        if (abort) {
          stream.abort();
        } else {
          stream.done();
        }
      }
    }

    void releaseEndpoint() {
      if (counted) {
        counted = false;
        endpoint.requestFinished();
      }
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
      if (retries.attempts() > 0 || !request.headers().contains(ForwardedHeads.X_ATTEMPT_COUNT)) {
        request.headers().setInt(ForwardedHeads.X_ATTEMPT_COUNT, retriesDone + 1);
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
