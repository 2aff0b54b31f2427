package io.meshwork.proxy.socks;

import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.ServiceTarget;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.tcp.TcpConnector;
import io.meshwork.proxy.tcp.TcpRelay;
import io.meshwork.proxy.tcp.TcpTraffic;
import io.meshwork.proxy.tcp.UpstreamConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.socksx.v4.DefaultSocks4CommandResponse;
import io.netty.handler.codec.socksx.v4.Socks4CommandRequest;
import io.netty.handler.codec.socksx.v4.Socks4CommandStatus;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the RFC 1928 handshake, after version detection: method negotiation (§3),
 * the request (§4), the mesh's decision on the target and the reply (§6), then the splice.
 *
 * <p>Only NO AUTHENTICATION REQUIRED is offered, and only to loopback peers: the port serves the
 * local application, and anyone else reaching it would borrow the sidecar's mesh identity. Only
 * CONNECT is supported. A SOCKS4 request is answered with SOCKS4's 0x5B (rejected or failed).
 */
final class SocksHandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(SocksHandshakeHandler.class);

  /** Peers that may use NO AUTH: loopback addresses only. */
  static final Predicate<SocketAddress> LOOPBACK =
      a -> a instanceof InetSocketAddress isa && isa.getAddress() != null && isa.getAddress().isLoopbackAddress();

  private enum State { AWAIT_METHODS, AWAIT_COMMAND, CONNECTING, DONE }

  private final SnapshotRef snapshots;
  private final TcpConnector connector;
  private final SocksSettings settings;
  private final Predicate<SocketAddress> trustedPeer;
  private final SocksCounters counters;
  private final TcpTraffic.PerCluster traffic;
  /** Bytes a client sent after its CONNECT request, before the reply (optimistic data). */
  private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
  private State state = State.AWAIT_METHODS;
  private ScheduledFuture<?> handshakeTimer;
  private boolean clientFin;

  SocksHandshakeHandler(SnapshotRef snapshots, TcpConnector connector, SocksSettings settings,
      Predicate<SocketAddress> trustedPeer, SocksCounters counters) {
    this(snapshots, connector, settings, trustedPeer, counters, TcpTraffic.PerCluster.NONE);
  }

  /** @param traffic where spliced connections report their bytes and lifetime, per cluster */
  SocksHandshakeHandler(SnapshotRef snapshots, TcpConnector connector, SocksSettings settings,
      Predicate<SocketAddress> trustedPeer, SocksCounters counters, TcpTraffic.PerCluster traffic) {
    this.traffic = traffic;
    this.snapshots = snapshots;
    this.connector = connector;
    this.settings = settings;
    this.trustedPeer = trustedPeer;
    this.counters = counters;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      startTimer(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    startTimer(ctx);
    ctx.fireChannelActive();
  }

  private void startTimer(ChannelHandlerContext ctx) {
    if (handshakeTimer == null && state != State.DONE) {
      handshakeTimer = ctx.executor().schedule(() -> {
        if (state == State.AWAIT_METHODS || state == State.AWAIT_COMMAND) {
          log.debug("{}: no SOCKS request within {}; closing", ctx.channel(), settings.handshakeTimeout());
          counters.count(SocksCounters.Outcome.HANDSHAKE_TIMEOUT);
          ctx.close();
        }
      }, settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    switch (msg) {
      case Socks5InitialRequest initial when state == State.AWAIT_METHODS -> negotiate(ctx, initial);
      case Socks5CommandRequest command when state == State.AWAIT_COMMAND -> command(ctx, command);
      case Socks4CommandRequest socks4 -> rejectSocks4(ctx, socks4);
      case ByteBuf bytes when state == State.CONNECTING -> early.add(bytes);
      // Bytes the method decoder held when it was replaced belong to the request: decode them.
      case ByteBuf bytes when state == State.AWAIT_COMMAND -> ctx.pipeline().fireChannelRead(bytes);
      default -> {
        ReferenceCountUtil.release(msg);
        log.debug("{}: unexpected {} in state {}; closing", ctx.channel(), msg.getClass().getSimpleName(), state);
        counters.count(SocksCounters.Outcome.MALFORMED);
        ctx.close();
      }
    }
  }

  /** RFC 1928 §3: the server selects one of the client's methods, or 0xFF and the client must close. */
  private void negotiate(ChannelHandlerContext ctx, Socks5InitialRequest request) {
    if (request.decoderResult().isFailure()) {
      log.debug("{}: malformed SOCKS5 greeting: {}", ctx.channel(), request.decoderResult().cause().getMessage());
      counters.count(SocksCounters.Outcome.MALFORMED);
      ctx.close();
      return;
    }
    boolean noAuthOffered = request.authMethods().contains(Socks5AuthMethod.NO_AUTH);
    if (!noAuthOffered || !trustedPeer.test(ctx.channel().remoteAddress())) {
      log.debug("{}: no acceptable method (offered {}, peer {})", ctx.channel(), request.authMethods(),
          ctx.channel().remoteAddress());
      counters.count(SocksCounters.Outcome.NO_ACCEPTABLE_METHOD);
      ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
          .addListener(ChannelFutureListener.CLOSE);
      state = State.DONE;
      return;
    }
    state = State.AWAIT_COMMAND;
    ctx.pipeline().replace(Socks5InitialRequestDecoder.class, null, new Socks5CommandRequestDecoder());
    ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.NO_AUTH));
  }

  /** RFC 1928 §4: only CONNECT; the target must be a mesh service or allowed by a ServiceEntry. */
  private void command(ChannelHandlerContext ctx, Socks5CommandRequest request) {
    cancelTimer();
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      String reason = String.valueOf(result.cause().getMessage()).toLowerCase(Locale.ROOT);
      log.debug("{}: malformed SOCKS5 request: {}", ctx.channel(), reason);
      refuse(ctx, reason.contains("address type") ? Socks5CommandStatus.ADDRESS_UNSUPPORTED : Socks5CommandStatus.FAILURE);
      return;
    }
    if (request.type() != Socks5CommandType.CONNECT) {
      log.debug("{}: command {} not supported", ctx.channel(), request.type());
      refuse(ctx, Socks5CommandStatus.COMMAND_UNSUPPORTED);
      return;
    }
    MeshSnapshot snapshot = snapshots.get();
    if (snapshot == null) {
      log.debug("{}: no configuration loaded yet; refusing {}:{}", ctx.channel(), request.dstAddr(), request.dstPort());
      refuse(ctx, Socks5CommandStatus.FAILURE);
      return;
    }
    Optional<ServiceTarget> target = snapshot.services().resolve(request.dstAddr(), request.dstPort());
    if (target.isEmpty()) {
      log.debug("{}: {}:{} is not a mesh service and no ServiceEntry allows it", ctx.channel(),
          request.dstAddr(), request.dstPort());
      refuse(ctx, Socks5CommandStatus.FORBIDDEN);
      return;
    }
    state = State.CONNECTING;
    // Nothing more is read until the upstream is there to take it; what is already buffered queues up.
    ctx.channel().config().setAutoRead(false);
    connector.connect(ctx.channel().eventLoop(), target.get(), outcome -> connected(ctx, target.get(), outcome));
  }

  private void connected(ChannelHandlerContext ctx, ServiceTarget target, UpstreamConnection outcome) {
    switch (outcome) {
      case UpstreamConnection.Failed(var failure, String detail) -> {
        log.debug("{}: cannot reach {}: {} ({})", ctx.channel(), target.describe(), failure, detail);
        refuse(ctx, SocksReplies.status(failure));
      }
      case UpstreamConnection.Connected c when ctx.channel().isActive() && state == State.CONNECTING ->
          splice(ctx, c.channel(), traffic.to(target.clusterName()));
      // The client left while we connected.
      case UpstreamConnection.Connected c -> c.channel().close();
    }
  }

  private void splice(ChannelHandlerContext ctx, Channel upstream, TcpTraffic tcp) {
    Channel downstream = ctx.channel();
    counters.count(SocksCounters.Outcome.SUCCEEDED);
    ctx.write(SocksReplies.success(upstream.localAddress()));
    // Removing the request decoder hands us any bytes it still held; in CONNECTING they join the early queue.
    if (ctx.pipeline().get(Socks5CommandRequestDecoder.class) != null) {
      ctx.pipeline().remove(Socks5CommandRequestDecoder.class);
    }
    state = State.DONE;
    ctx.pipeline().remove(Socks5ServerEncoder.class);
    ctx.flush();
    for (ByteBuf b = early.poll(); b != null; b = early.poll()) {
      tcp.received(b.readableBytes());
      upstream.write(b, upstream.voidPromise());
    }
    upstream.flush();
    ctx.pipeline().remove(this);
    TcpRelay.splice(downstream, upstream, settings.idleTimeout(), tcp);
    if (clientFin) {
      downstream.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    }
  }

  private void refuse(ChannelHandlerContext ctx, Socks5CommandStatus status) {
    state = State.DONE;
    releaseEarly();
    counters.count(SocksCounters.Outcome.of(status));
    ctx.writeAndFlush(SocksReplies.failure(status)).addListener(ChannelFutureListener.CLOSE);
  }

  /** SOCKS4 has no way to negotiate up: its request gets SOCKS4's own rejection (0x5B). */
  private void rejectSocks4(ChannelHandlerContext ctx, Socks4CommandRequest request) {
    state = State.DONE;
    cancelTimer();
    log.debug("{}: SOCKS4 request for {}:{} rejected (SOCKS5 only)", ctx.channel(), request.dstAddr(), request.dstPort());
    counters.count(SocksCounters.Outcome.SOCKS4_REJECTED);
    ctx.writeAndFlush(new DefaultSocks4CommandResponse(Socks4CommandStatus.REJECTED_OR_FAILED))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      // The client may half-close right after its request; the FIN is relayed once spliced.
      clientFin = true;
      if (state == State.AWAIT_METHODS || state == State.AWAIT_COMMAND) {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimer();
    releaseEarly();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelTimer();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: closing: {}", ctx.channel(), cause.toString());
    releaseEarly();
    ctx.close();
  }

  private void cancelTimer() {
    if (handshakeTimer != null) {
      handshakeTimer.cancel(false);
    }
  }

  private void releaseEarly() {
    for (ByteBuf b = early.poll(); b != null; b = early.poll()) {
      b.release();
    }
  }
}
