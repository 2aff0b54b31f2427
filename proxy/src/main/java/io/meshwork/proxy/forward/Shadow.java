package io.meshwork.proxy.forward;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.retry.AttemptFailure;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.upstream.UpstreamListener;
import io.meshwork.proxy.upstream.UpstreamStream;
import io.meshwork.proxy.upstream.Upstreams;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One mirrored copy of a request (Istio {@code mirror}, Envoy's shadow): the same head with
 * {@code -shadow} appended to the host, the same body, sent to the mirror cluster and its answer
 * thrown away. It never delays or fails the request it copies: it waits for nothing the primary
 * needs, holds at most {@link #MAX_HELD_BYTES} of body while its stream is not writable (then it
 * is abandoned), and is aborted when its own timeout passes. Runs on the primary's event loop.
 */
final class Shadow implements UpstreamListener {
  /** Body bytes a shadow may hold while its upstream is not ready; beyond, the copy is abandoned. */
  static final int MAX_HELD_BYTES = 64 * 1024;
  /** A shadow's deadline when its route has no timeout (Envoy's default route timeout). */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  private final Endpoint endpoint;
  private final MirrorCounters counters;
  private final ArrayDeque<HttpObject> held = new ArrayDeque<>(4);
  private long heldBytes;
  private UpstreamStream stream;
  private ScheduledFuture<?> timer;
  private boolean ended;
  private boolean finished;

  private Shadow(Endpoint endpoint, MirrorCounters counters) {
    this.endpoint = endpoint;
    this.counters = counters;
  }

  /**
   * Starts a copy of {@code head} to {@code mirror}'s cluster, or returns null when it has no endpoint. The head is
   * copied here; {@code bodyless} requests go as one message.
   */
  static Shadow start(EventLoop loop, Upstreams upstreams, RouteAction.Mirror mirror, HttpRequest head,
      boolean bodyless, boolean http2, Duration timeout, MirrorCounters counters) {
    Cluster cluster = mirror.cluster();
    Endpoint endpoint = cluster.pick(HashPolicy.NO_HASH, false, Set.of());
    if (endpoint == null) {
      counters.noEndpoint.increment();
      return null;
    }
    Shadow shadow = new Shadow(endpoint, counters);
    HttpRequest copy = bodyless
        ? new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(), Unpooled.EMPTY_BUFFER,
            head.headers().copy(), EmptyHttpHeaders.INSTANCE)
        : new DefaultHttpRequest(head.protocolVersion(), head.method(), head.uri(), head.headers().copy());
    String host = copy.headers().get(HttpHeaderNames.HOST);
    if (host != null) {
      copy.headers().set(HttpHeaderNames.HOST, shadowHost(host));
    }
    shadow.held.add(copy);
    shadow.ended = bodyless;
    counters.started.increment();
    endpoint.requestStarted();
    Duration deadline = timeout == null || timeout.isZero() || timeout.isNegative() ? DEFAULT_TIMEOUT : timeout;
    shadow.timer = loop.schedule(() -> shadow.abandon(true), deadline.toNanos(), TimeUnit.NANOSECONDS);
    upstreams.acquire(loop, endpoint.address(), http2, false, cluster.pool(), shadow);
    return shadow;
  }

  /** Envoy's shadow host: {@code -shadow} after the host name, before any port. */
  static String shadowHost(String host) {
    int colon = host.lastIndexOf(':');
    boolean port = colon > 0 && host.indexOf(']') < colon && host.chars().skip(colon + 1).allMatch(Character::isDigit)
        && colon < host.length() - 1;
    return port ? host.substring(0, colon) + "-shadow" + host.substring(colon) : host + "-shadow";
  }

  /** A copy of one body part; ownership passes here. */
  void content(HttpContent part) {
    if (finished) {
      part.release();
      return;
    }
    if (part instanceof LastHttpContent) {
      ended = true;
    }
    if (stream != null && stream.isWritable() && held.isEmpty()) {
      stream.write(part);
      return;
    }
    heldBytes += part.content().readableBytes();
    held.add(part);
    if (heldBytes > MAX_HELD_BYTES) {
      counters.abandoned.increment();
      abandon(false);
    }
  }

  void flush() {
    if (stream != null && !finished) {
      drainHeld();
      stream.flush();
    }
  }

  /** The primary's downstream went away before its body ended: the copy can never be complete. */
  void requestAbandoned() {
    if (!ended && !finished) {
      counters.abandoned.increment();
      abandon(false);
    }
  }

  private void drainHeld() {
    HttpObject msg;
    while ((msg = held.poll()) != null) {
      if (msg instanceof HttpContent c) {
        heldBytes -= c.content().readableBytes();
      }
      stream.write(msg);
    }
  }

  private void abandon(boolean timedOut) {
    if (finished) {
      return;
    }
    if (timedOut) {
      counters.timedOut.increment();
    }
    finish();
    if (stream != null) {
      stream.abort();
    }
  }

  private void finish() {
    finished = true;
    if (timer != null) {
      timer.cancel(false);
    }
    held.forEach(ReferenceCountUtil::release);
    held.clear();
    endpoint.requestFinished();
  }

  @Override
  public void onAcquired(UpstreamStream s) {
    if (finished) {
      s.abort();
      return;
    }
    stream = s;
    drainHeld();
    s.flush();
  }

  @Override
  public void onAcquireFailed(AttemptFailure failure, Throwable cause) {
    if (!finished) {
      counters.failed.increment();
      finish();
    }
  }

  @Override
  public void onInformational(HttpResponse head) {}

  @Override
  public void onResponseHead(HttpResponse head, boolean endOfStream) {
    if (!finished) {
      counters.answered.increment();
    }
  }

  @Override
  public void onResponseContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    content.release();
    if (last && !finished) {
      finish();
      if (ended) {
        stream.done();
      } else {
        // Answered before the copy's body was complete: the stream cannot be reused.
        stream.abort();
      }
    }
  }

  @Override
  public void onResponseReadComplete() {}

  @Override
  public void onWritabilityChanged(boolean writable) {
    if (writable && !finished) {
      flush();
    }
  }

  @Override
  public void onStreamFailure(AttemptFailure failure, Throwable cause) {
    if (!finished) {
      counters.failed.increment();
      finish();
    }
  }
}
