package io.meshwork.proxy.transport;

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

  /**
   * Sets keepalive on {@code ch} before it connects; null fields keep the system's values.
   *
   * @param probes unanswered probes before the peer is considered gone, or null
   * @param time idle time before the first probe, or null
   * @param interval time between probes, or null
   */
  public static void apply(Channel ch, Integer probes, Duration time, Duration interval) {
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
