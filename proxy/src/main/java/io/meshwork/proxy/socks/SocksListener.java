package io.meshwork.proxy.socks;

import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.tcp.StreamTls;
import io.meshwork.proxy.tcp.TcpConnector;
import io.meshwork.proxy.tcp.TcpTraffic;
import io.meshwork.proxy.transport.IoTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SOCKS5 outbound port (vproxy's way into the mesh): any TCP client names a service host, the
 * connection goes to one of its endpoints chosen by the service's load balancer, and bytes are
 * spliced both ways. Hosts outside the mesh are refused unless a ServiceEntry allows them.
 */
public final class SocksListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SocksListener.class);

  private final Channel server;
  private final ChannelGroup connections;
  private final SocksCounters counters;

  private SocksListener(Channel server, ChannelGroup connections, SocksCounters counters) {
    this.server = server;
    this.connections = connections;
    this.counters = counters;
  }

  /** Binds with {@link SocksSettings#DEFAULT} timeouts. */
  public static SocksListener bind(IoTransport transport, String bindAddress, int port, SnapshotRef snapshots) {
    return bind(transport, bindAddress, port, snapshots, SocksSettings.DEFAULT);
  }

  /**
   * Listens on {@code bindAddress:port} (0 picks a free port) on the transport's event loops.
   *
   * @throws IllegalArgumentException for an invalid port or bind address
   * @throws IllegalStateException when the port cannot be bound
   */
  public static SocksListener bind(IoTransport transport, String bindAddress, int port, SnapshotRef snapshots,
      SocksSettings settings) {
    return bind(transport, bindAddress, port, snapshots, settings, SocksHandshakeHandler.LOOPBACK, StreamTls.NONE,
        TcpTraffic.PerCluster.NONE);
  }

  /**
   * @param tls wraps streams to mesh workloads in mutual TLS to their sidecars
   * @param traffic where each tunnel is reported
   */
  public static SocksListener bind(IoTransport transport, String bindAddress, int port, SnapshotRef snapshots,
      SocksSettings settings, StreamTls tls, TcpTraffic.PerCluster traffic) {
    return bind(transport, bindAddress, port, snapshots, settings, SocksHandshakeHandler.LOOPBACK, tls, traffic);
  }

  static SocksListener bind(IoTransport transport, String bindAddress, int port, SnapshotRef snapshots,
      SocksSettings settings, Predicate<SocketAddress> trustedPeer) {
    return bind(transport, bindAddress, port, snapshots, settings, trustedPeer, StreamTls.NONE,
        TcpTraffic.PerCluster.NONE);
  }

  static SocksListener bind(IoTransport transport, String bindAddress, int port, SnapshotRef snapshots,
      SocksSettings settings, Predicate<SocketAddress> trustedPeer, StreamTls tls, TcpTraffic.PerCluster traffic) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0 for a free port, or 1..65535)");
    }
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException("bindAddress: " + bindAddress + " (expected: an address, e.g. 127.0.0.1)");
    }
    if (snapshots == null || settings == null) {
      throw new IllegalArgumentException("snapshots, settings: null (expected: non-null)");
    }
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    SocksCounters counters = new SocksCounters();
    TcpConnector connector = new TcpConnector(transport.socketChannel(), settings.connectTimeout(), tls);
    ChannelFuture bound = new ServerBootstrap()
        .group(transport.workers())
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childHandler(new SocksInitializer(connections, snapshots, connector, settings, trustedPeer, counters,
            traffic))
        .bind(new InetSocketAddress(bindAddress, port))
        .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw new IllegalStateException("cannot listen on " + bindAddress + ":" + port + ": "
          + bound.cause().getMessage(), bound.cause());
    }
    SocksListener listener = new SocksListener(bound.channel(), connections, counters);
    log.info("socks5 listening on {}:{}", bindAddress, listener.port());
    return listener;
  }

  public int port() {
    return address().getPort();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** Client connections currently open, in handshake or spliced. */
  public int connections() {
    return connections.size();
  }

  /** How handshakes ended so far. */
  public SocksCounters counters() {
    return counters;
  }

  /** Stops accepting; open streams go on until they end (draining). */
  public void stopAccepting() {
    server.close().awaitUninterruptibly();
  }

  /** Stops accepting and closes every client connection; each splice closes its upstream with it. */
  @Override
  public void close() {
    stopAccepting();
    connections.close().awaitUninterruptibly();
  }
}
