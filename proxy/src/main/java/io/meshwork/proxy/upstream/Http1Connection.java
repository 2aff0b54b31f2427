package io.meshwork.proxy.upstream;

import io.meshwork.proxy.retry.AttemptFailure;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import io.meshwork.proxy.cluster.UpstreamTls;
import java.net.InetSocketAddress;

/**
 * An HTTP/1.1 upstream connection, lent to one exchange at a time. It goes back to its pool only
 * when both the request and the response completed and neither side asked for
 * {@code Connection: close} (RFC 9112 §9.3); anything else closes it.
 */
public final class Http1Connection extends ChannelInboundHandlerAdapter implements UpstreamStream {
  private final Http1Pool pool;
  private final InetSocketAddress address;
  private final PoolKey key;
  private final int maxRequests;
  private final long idleTimeoutNanos;
  private Channel channel;
  private UpstreamListener listener;
  private boolean requestDone;
  private boolean responseDone;
  private boolean headSeen;
  private boolean keepAlive;
  private boolean informational;
  private int requests;
  long idleSinceNanos;
  /** When the connection stops taking requests (Istio tcp.maxConnectionDuration), or 0 for never. */
  private long retireAtNanos;

  /**
   * @param pool where the connection returns after a clean exchange, or null for a dedicated connection
   */
  public Http1Connection(Http1Pool pool, InetSocketAddress address, int maxRequests, long idleTimeoutNanos) {
    this(pool, new PoolKey(address, UpstreamTls.PLAINTEXT), maxRequests, idleTimeoutNanos);
  }

  Http1Connection(Http1Pool pool, PoolKey key, int maxRequests, long idleTimeoutNanos) {
    this.pool = pool;
    this.key = key;
    InetSocketAddress address = key.address();
    this.address = address;
    this.maxRequests = maxRequests;
    this.idleTimeoutNanos = idleTimeoutNanos;
  }

  InetSocketAddress address() {
    return address;
  }

  PoolKey key() {
    return key;
  }

  long idleTimeoutNanos() {
    return idleTimeoutNanos;
  }

  boolean isUsable() {
    if (retired()) {
      if (channel != null && listener == null) {
        channel.close();
      }
      return false;
    }
    return channel != null && channel.isActive() && listener == null;
  }

  /** Takes no request once {@code maxAge} has passed from now (zero: no limit); a request in progress finishes. */
  void retireAfter(java.time.Duration maxAge) {
    if (!maxAge.isZero() && !maxAge.isNegative()) {
      long at = System.nanoTime() + maxAge.toNanos();
      retireAtNanos = at == 0 ? 1 : at;
    }
  }

  private boolean retired() {
    return retireAtNanos != 0 && System.nanoTime() - retireAtNanos >= 0;
  }

  /** Lends the connection to one exchange. */
  public void attach(UpstreamListener l) {
    listener = l;
    requestDone = false;
    responseDone = false;
    headSeen = false;
    informational = false;
    keepAlive = true;
    requests++;
    channel.config().setAutoRead(true);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void write(HttpObject msg) {
    if (listener == null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request && !HttpUtil.isKeepAlive(request)) {
      keepAlive = false;
    }
    if (msg instanceof LastHttpContent) {
      requestDone = true;
    }
    channel.write(msg, channel.voidPromise());
  }

  @Override
  public void flush() {
    channel.flush();
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public void setReadable(boolean readable) {
    channel.config().setAutoRead(readable);
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public boolean reused() {
    return requests > 1;
  }

  @Override
  public void done() {
    if (listener == null) {
      return;
    }
    listener = null;
    boolean reusable = pool != null && keepAlive && requestDone && responseDone && channel.isActive()
        && (maxRequests <= 0 || requests < maxRequests) && !retired();
    if (reusable) {
      pool.release(this);
    } else {
      channel.close();
    }
  }

  @Override
  public void abort() {
    listener = null;
    channel.close();
  }

  /** Hands the channel over to a tunnel: the connection stops being an HTTP exchange. */
  public void detach() {
    listener = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    UpstreamListener l = listener;
    if (l == null) {
      // Bytes on an idle connection are not a response to anything: the connection is unusable.
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    if (msg instanceof HttpObject obj && obj.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      failAndClose(ctx, obj.decoderResult().cause());
      return;
    }
    if (msg instanceof HttpResponse head) {
      int code = head.status().code();
      if (code >= 100 && code < 200 && code != 101) {
        informational = true;
        l.onInformational(head);
      } else {
        headSeen = true;
        if (!HttpUtil.isKeepAlive(head)) {
          keepAlive = false;
        }
        l.onResponseHead(head, false);
      }
      if (msg instanceof HttpContent content) {
        deliver(l, new DefaultLastHttpContent(content.content(), ((LastHttpContent) content).trailingHeaders()));
      }
    } else if (msg instanceof HttpContent content) {
      deliver(l, content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void deliver(UpstreamListener l, HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (informational) {
      content.release();
      informational = !last;
      return;
    }
    if (last) {
      responseDone = true;
    }
    if (listener == l) {
      l.onResponseContent(content);
    } else {
      content.release();
    }
  }

  private void failAndClose(ChannelHandlerContext ctx, Throwable cause) {
    UpstreamListener l = listener;
    listener = null;
    ctx.close();
    if (l != null) {
      l.onStreamFailure(AttemptFailure.RESET, cause);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    if (l != null) {
      l.onResponseReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    if (l != null) {
      l.onWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    listener = null;
    if (pool != null) {
      pool.remove(this);
    }
    if (l != null && !responseDone) {
      l.onStreamFailure(AttemptFailure.RESET, new IOException("upstream connection closed"));
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failAndClose(ctx, cause instanceof DecoderException d && d.getCause() != null ? d.getCause() : cause);
  }
}
