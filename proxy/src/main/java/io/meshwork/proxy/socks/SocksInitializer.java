package io.meshwork.proxy.socks;

import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.tcp.TcpConnector;
import io.meshwork.proxy.tcp.TcpTraffic;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.socksx.SocksPortUnificationServerHandler;
import java.net.SocketAddress;
import java.util.function.Predicate;

/** The pipeline of one SOCKS client connection: version detection, then the handshake. */
final class SocksInitializer extends ChannelInitializer<Channel> {
  private final ChannelGroup connections;
  private final SnapshotRef snapshots;
  private final TcpConnector connector;
  private final SocksSettings settings;
  private final Predicate<SocketAddress> trustedPeer;
  private final SocksCounters counters;
  private final TcpTraffic.PerCluster traffic;

  SocksInitializer(ChannelGroup connections, SnapshotRef snapshots, TcpConnector connector, SocksSettings settings,
      Predicate<SocketAddress> trustedPeer, SocksCounters counters, TcpTraffic.PerCluster traffic) {
    this.traffic = traffic;
    this.connections = connections;
    this.snapshots = snapshots;
    this.connector = connector;
    this.settings = settings;
    this.trustedPeer = trustedPeer;
    this.counters = counters;
  }

  @Override
  protected void initChannel(Channel ch) {
    connections.add(ch);
    ch.pipeline().addLast("socks-version", new SocksPortUnificationServerHandler());
    ch.pipeline().addLast("socks-handshake", new SocksHandshakeHandler(snapshots, connector, settings, trustedPeer, counters,
        traffic));
  }
}
