package io.meshwork.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One side of an opaque byte splice between two channels on the same event loop.
 *
 * <p>Backpressure: a side stops reading while its peer is not writable and resumes when the peer
 * drains. Half-close (RFC 9293 §3.6): a FIN from one side becomes a FIN to the other, after every
 * byte read before it has been written, and the other direction keeps flowing; once both sides have
 * sent FIN, or on any error, both channels close. The downstream side also closes both when no
 * byte moves either way for the idle timeout.
 */
public final class TcpRelay extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TcpRelay.class);
  static final String IDLE_HANDLER = "tcp-idle";
  static final String RELAY_HANDLER = "tcp-relay";

  private final Splice splice;
  private final Channel peer;
  private final TcpTraffic traffic;
  /** Whether this side reads from the downstream (bytes it relays are received, the others sent). */
  private final boolean downstreamSide;
  private boolean inputShutdown;

  private TcpRelay(Splice splice, Channel peer, TcpTraffic traffic, boolean downstreamSide) {
    this.splice = splice;
    this.peer = peer;
    this.traffic = traffic;
    this.downstreamSide = downstreamSide;
  }

  /** The shared state of both directions. */
  private static final class Splice {
    final Channel downstream;
    final Channel upstream;
    int finsRelayed;

    Splice(Channel downstream, Channel upstream) {
      this.downstream = downstream;
      this.upstream = upstream;
    }

    void close() {
      downstream.close();
      upstream.close();
    }
  }

  /**
   * The idle timeout of the cluster an upstream channel was opened to (Istio tcp.idleTimeout); it wins over the
   * caller's default.
   */
  public static final AttributeKey<Duration> CLUSTER_IDLE_TIMEOUT = AttributeKey.valueOf("meshwork.tcp.idleTimeout");

  /**
   * Splices two connected channels and starts reading both. Call on their shared event loop after
   * any earlier handlers that consumed protocol bytes are gone; bytes the caller already read must
   * be written to the peer before this call.
   *
   * @param defaultIdleTimeout closes both when nothing moves for this long, unless the upstream's cluster sets its
   *     own ({@link #CLUSTER_IDLE_TIMEOUT}); zero disables it
   */
  public static void splice(Channel downstream, Channel upstream, Duration idleTimeout) {
    splice(downstream, upstream, idleTimeout, TcpTraffic.NONE);
  }

  /**
   * As {@link #splice(Channel, Channel, Duration)}, reporting the connection and its bytes to {@code
   * traffic}: opened now, closed when the downstream closes.
   */
  public static void splice(Channel downstream, Channel upstream, Duration defaultIdleTimeout, TcpTraffic traffic) {
    Duration clusterIdle = upstream.attr(CLUSTER_IDLE_TIMEOUT).get();
    Duration idleTimeout = clusterIdle != null ? clusterIdle : defaultIdleTimeout;
    // Both handlers share unsynchronized state, so the calling thread must serve both channels.
    if (!downstream.eventLoop().inEventLoop() || !upstream.eventLoop().inEventLoop()) {
      throw new IllegalStateException("upstream: on " + upstream.eventLoop()
          + " (expected: the calling thread's event loop, which serves the downstream)");
    }
    Splice splice = new Splice(downstream, upstream);
    if (!idleTimeout.isZero()) {
      // observeOutput: a slow reader that still drains counts as activity.
      downstream.pipeline().addLast(IDLE_HANDLER,
          new IdleStateHandler(true, 0, 0, idleTimeout.toNanos(), TimeUnit.NANOSECONDS));
    }
    downstream.pipeline().addLast(RELAY_HANDLER, new TcpRelay(splice, upstream, traffic, true));
    upstream.pipeline().addLast(RELAY_HANDLER, new TcpRelay(splice, downstream, traffic, false));
    traffic.opened();
    downstream.closeFuture().addListener(f -> traffic.closed());
    if (!downstream.isActive() || !upstream.isActive()) {
      splice.close();
      return;
    }
    downstream.config().setAutoRead(true);
    upstream.config().setAutoRead(true);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg == StreamFraming.FIN) {
      relayFin(ctx);
      return;
    }
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (downstreamSide) {
      traffic.received(buf.readableBytes());
    } else {
      traffic.sent(buf.readableBytes());
    }
    peer.write(buf, peer.voidPromise());
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      if (StreamFraming.isFramed(ctx.pipeline())) {
        // A framed stream ends its direction with a frame; a bare FIN means the connection was cut.
        splice.close();
      } else {
        relayFin(ctx);
      }
    } else if (evt instanceof IdleStateEvent) {
      log.debug("{}: idle, closing the splice", ctx.channel());
      splice.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  /** Forwards this side's FIN once everything read before it has reached the peer. */
  private void relayFin(ChannelHandlerContext ctx) {
    if (inputShutdown) {
      return;
    }
    inputShutdown = true;
    ChannelFuture written = peer.writeAndFlush(Unpooled.EMPTY_BUFFER);
    written.addListener((ChannelFuture f) -> {
      if (!f.isSuccess() || !peer.isActive()) {
        splice.close();
        return;
      }
      if (StreamFraming.isFramed(peer.pipeline())) {
        peer.writeAndFlush(StreamFraming.FIN).addListener((ChannelFuture fin) -> {
          if (!fin.isSuccess() || ++splice.finsRelayed == 2) {
            splice.close();
          }
        });
        return;
      }
      if (!(peer instanceof DuplexChannel duplex)) {
        splice.close();
        return;
      }
      duplex.shutdownOutput().addListener((ChannelFuture shut) -> {
        if (!shut.isSuccess() || ++splice.finsRelayed == 2) {
          splice.close();
        }
      });
    });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (peer.isActive()) {
      // Deliver what is queued before closing; RFC 9293 §3.6 gives a closed peer nothing more.
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: closing the splice: {}", ctx.channel(), cause.toString());
    splice.close();
  }
}
