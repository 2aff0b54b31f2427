package io.meshwork.proxy.tcp;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.config.ServiceTarget;
import io.meshwork.proxy.transport.TcpKeepalive;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Opens the upstream connection of an opaque TCP stream on the downstream's own event loop (Envoy's
 * worker model), with auto-read off until the caller splices it.
 *
 * <p>A balanced target picks with the cluster's load balancer and, when the connect fails, picks
 * once more among the endpoints not yet tried (Envoy's connect-failure retry for TCP proxy). Each
 * endpoint counts the connection as an active request for as long as the channel is open, so
 * least-request balancing sees TCP streams too.
 *
 * <p>A stream to a mesh endpoint is wrapped in the {@link StreamTls} the connector was given: the
 * connection counts as open only once the mutual-TLS handshake has settled on the tunnel protocol, and
 * a failed handshake is a failed attempt (the next endpoint is tried), never a plaintext fallback.
 */
public final class TcpConnector {
  /** Attempts per connection: the first pick and one connect-failure retry. */
  static final int MAX_ATTEMPTS = 2;
  /** Name lookups block, so they run off the event loops; one virtual thread each. */
  private static final ExecutorService LOOKUPS = Executors.newThreadPerTaskExecutor(
      Thread.ofVirtual().name("meshwork-lookup-", 0).factory());

  private final Class<? extends SocketChannel> channelType;
  private final Duration originalDestinationConnectTimeout;
  private final StreamTls tls;

  /**
   * @param channelType the socket type matching the event loops' transport
   * @param originalDestinationConnectTimeout the connect timeout where no cluster sets one
   */
  public TcpConnector(Class<? extends SocketChannel> channelType, Duration originalDestinationConnectTimeout) {
    this(channelType, originalDestinationConnectTimeout, StreamTls.NONE);
  }

  /** @param tls wraps streams to mesh endpoints (balanced and pinned targets); original destinations never */
  public TcpConnector(Class<? extends SocketChannel> channelType, Duration originalDestinationConnectTimeout,
      StreamTls tls) {
    if (channelType == null) {
      throw new IllegalArgumentException("channelType: null (expected: a SocketChannel class)");
    }
    if (originalDestinationConnectTimeout == null || originalDestinationConnectTimeout.isNegative()
        || originalDestinationConnectTimeout.isZero()) {
      throw new IllegalArgumentException(
          "originalDestinationConnectTimeout: " + originalDestinationConnectTimeout + " (expected: > 0)");
    }
    this.channelType = channelType;
    this.originalDestinationConnectTimeout = originalDestinationConnectTimeout;
    this.tls = tls == null ? StreamTls.NONE : tls;
  }

  /**
   * Connects to {@code target} and reports the outcome on {@code loop}.
   *
   * @param loop the downstream channel's event loop; the upstream channel is registered on it
   */
  public void connect(EventLoop loop, ServiceTarget target, Consumer<UpstreamConnection> outcome) {
    switch (target) {
      case ServiceTarget.Balanced(Cluster cluster) -> new Attempts(loop, cluster, outcome).next(null);
      case ServiceTarget.Pinned(Cluster cluster, Endpoint endpoint) ->
          open(loop, cluster, endpoint.address(), endpoint, cluster.pool().connectTimeout(), outcome);
      case ServiceTarget.OriginalDestination(InetSocketAddress address, String origin) ->
          open(loop, null, address, null, originalDestinationConnectTimeout, outcome);
    }
  }

  /** The picks of one balanced connection. */
  private final class Attempts {
    private final EventLoop loop;
    private final Cluster cluster;
    private final Consumer<UpstreamConnection> outcome;
    private final Set<Endpoint> tried = new HashSet<>();

    Attempts(EventLoop loop, Cluster cluster, Consumer<UpstreamConnection> outcome) {
      this.loop = loop;
      this.cluster = cluster;
      this.outcome = outcome;
    }

    void next(UpstreamConnection.Failed previous) {
      Endpoint endpoint = tried.size() < MAX_ATTEMPTS ? cluster.pick(HashPolicy.NO_HASH, false, tried) : null;
      if (endpoint == null || tried.contains(endpoint)) {
        outcome.accept(previous != null ? previous
            : new UpstreamConnection.Failed(ConnectFailure.NO_ENDPOINT, cluster.name() + " has no endpoint"));
        return;
      }
      tried.add(endpoint);
      open(loop, cluster, endpoint.address(), endpoint, cluster.pool().connectTimeout(), result -> {
        if (result instanceof UpstreamConnection.Failed failed) {
          next(failed);
        } else {
          outcome.accept(result);
        }
      });
    }
  }

  private void open(EventLoop loop, Cluster cluster, InetSocketAddress address, Endpoint endpoint, Duration timeout,
      Consumer<UpstreamConnection> outcome) {
    if (!address.isUnresolved()) {
      connect(loop, cluster, address, endpoint, timeout, outcome);
      return;
    }
    String host = address.getHostString();
    LOOKUPS.execute(() -> {
      try {
        InetSocketAddress resolved = new InetSocketAddress(InetAddress.getByName(host), address.getPort());
        loop.execute(() -> connect(loop, cluster, resolved, endpoint, timeout, outcome));
      } catch (UnknownHostException e) {
        loop.execute(() -> outcome.accept(new UpstreamConnection.Failed(ConnectFailure.UNKNOWN_HOST,
            "cannot resolve " + host)));
      } catch (RejectedExecutionException e) {
        // The loop is shutting down and closes the downstream itself.
      }
    });
  }

  private void connect(EventLoop loop, Cluster cluster, InetSocketAddress address, Endpoint endpoint,
      Duration timeout, Consumer<UpstreamConnection> outcome) {
    ChannelFuture future = new Bootstrap()
        .group(loop)
        .channel(channelType)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {}
        })
        .connect(address);
    if (endpoint != null) {
      endpoint.requestStarted();
      future.channel().closeFuture().addListener(f -> endpoint.requestFinished());
    }
    future.addListener((ChannelFuture f) -> {
      if (f.isSuccess()) {
        if (cluster != null) {
          f.channel().attr(TcpRelay.CLUSTER_IDLE_TIMEOUT).set(cluster.pool().tcpIdleTimeout());
          TcpKeepalive.apply(f.channel(), cluster.pool().keepalive());
        }
        SslHandler ssl = cluster == null || endpoint == null ? null : tls.handler(cluster, endpoint, f.channel().alloc());
        if (ssl == null) {
          outcome.accept(new UpstreamConnection.Connected(f.channel(), endpoint));
        } else {
          handshake(f.channel(), ssl, address, endpoint, timeout, outcome);
        }
      } else {
        if (f.channel().isRegistered()) {
          f.channel().close();
        } else if (endpoint != null) {
          // A channel that never registered is closed forcibly, without completing its close future.
          endpoint.requestFinished();
        }
        Throwable cause = f.cause();
        outcome.accept(new UpstreamConnection.Failed(ConnectFailure.of(cause),
            address + ": " + cause.getMessage()));
      }
    });
  }

  /** Settles mutual TLS with the peer sidecar before the stream counts as connected. */
  private void handshake(Channel channel, SslHandler ssl, InetSocketAddress address, Endpoint endpoint,
      Duration timeout, Consumer<UpstreamConnection> outcome) {
    ssl.setHandshakeTimeoutMillis(Math.max(1, timeout.toMillis()));
    channel.pipeline().addFirst(ssl);
    channel.pipeline().addLast(new HandshakeErrors());
    // Auto-read is off until the splice; the handshake reads on its own (SslHandler reads while it is not done).
    ssl.handshakeFuture().addListener(done -> {
      String protocol = ssl.applicationProtocol();
      if (done.isSuccess() && tls.protocol().equals(protocol)) {
        channel.pipeline().remove(HandshakeErrors.class);
        StreamFraming.install(channel.pipeline());
        outcome.accept(new UpstreamConnection.Connected(channel, endpoint));
        return;
      }
      channel.close();
      String why = done.isSuccess()
          ? "the peer sidecar does not accept tunnels (ALPN " + (protocol == null ? "none" : protocol) + ", expected "
              + tls.protocol() + ")"
          : "mutual TLS handshake failed: " + done.cause().getMessage();
      outcome.accept(new UpstreamConnection.Failed(ConnectFailure.TLS_HANDSHAKE, address + ": " + why));
    });
  }

  /** A refused or broken handshake is reported through its future and counted there; its exception ends here. */
  private static final class HandshakeErrors extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
