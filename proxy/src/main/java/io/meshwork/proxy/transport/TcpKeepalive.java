package io.meshwork.proxy.transport;

import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;

/**
 * TCP keepalive on an upstream connection (Istio's {@code tcp.tcpKeepalive}): SO_KEEPALIVE, and the
 * idle time, probe interval and probe count where given (Linux TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT),
 * on the native epoll transport and on NIO alike.
 */
public final class TcpKeepalive {
  private TcpKeepalive() {}

  /** Sets {@code keepalive} on {@code ch}; null leaves the system's default (off), null fields the system's values. */
  public static void apply(Channel ch, ConnectionPoolSettings.Keepalive keepalive) {
    if (keepalive == null) {
      return;
    }
    Integer probes = keepalive.probes();
    Duration time = keepalive.time();
    Duration interval = keepalive.interval();
    ch.config().setOption(ChannelOption.SO_KEEPALIVE, true);
    if (ch instanceof EpollSocketChannel) {
      set(ch, EpollChannelOption.TCP_KEEPCNT, probes);
      set(ch, EpollChannelOption.TCP_KEEPIDLE, seconds(time));
      set(ch, EpollChannelOption.TCP_KEEPINTVL, seconds(interval));
    } else {
      set(ch, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), probes);
      set(ch, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), seconds(time));
      set(ch, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), seconds(interval));
    }
  }

  private static Integer seconds(Duration d) {
    return d == null ? null : (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toSeconds()));
  }

  private static void set(Channel ch, ChannelOption<Integer> option, Integer value) {
    if (value != null) {
      ch.config().setOption(option, value);
    }
  }
}
