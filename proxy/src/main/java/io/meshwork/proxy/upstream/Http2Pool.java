package io.meshwork.proxy.upstream;

import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.transport.TcpKeepalive;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/2 (prior knowledge, RFC 9113 §3.3) upstream connections of one event loop: as few
 * multiplexed connections per endpoint as the peer's stream limit allows.
 */
public final class Http2Pool {
  private static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final UpstreamTlsSource tls;
  private final Map<PoolKey, List<Http2Connection>> connections = new HashMap<>();
  private boolean sweepScheduled;

  Http2Pool(EventLoop loop, Bootstrap bootstrap, UpstreamTlsSource tls) {
    this.loop = loop;
    this.bootstrap = bootstrap;
    this.tls = tls;
  }

  void acquire(PoolKey key, ConnectionPoolSettings settings, UpstreamListener listener) {
    InetSocketAddress address = key.address();
    List<Http2Connection> list = connections.computeIfAbsent(key, a -> new ArrayList<>(2));
    for (int i = 0; i < list.size(); i++) {
      Http2Connection c = list.get(i);
      if (c.hasCapacity()) {
        c.open(listener);
        return;
      }
    }
    Http2Connection conn = new Http2Connection(this, key, settings);
    list.add(conn);
    conn.open(listener);
    ChannelFuture f = bootstrap.clone()
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            // Frames written before the handshake ends wait in the TLS handler; a failed handshake
            // closes the channel and fails the waiting streams.
            TcpKeepalive.apply(ch, settings.keepalive());
            SslHandler ssl = tls.newHandler(key.tls(), true, address, ch.alloc());
            if (ssl != null) {
              ch.pipeline().addLast(ssl);
            }
            ch.pipeline().addLast(
                Http2FrameCodecBuilder.forClient()
                    .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                    .validateHeaders(true)
                    // Streams beyond the peer's limit wait for a free slot instead of failing.
                    .encoderEnforceMaxConcurrentStreams(true)
                    .build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                conn);
          }
        })
        .connect(address);
    f.addListener((ChannelFuture done) -> {
      if (done.isSuccess()) {
        conn.connected(done.channel());
      } else {
        drained(conn);
        conn.connectFailed(done.cause());
      }
    });
    scheduleSweep();
  }

  /** Takes a connection out of rotation (GOAWAY received, closed, or failed to connect). */
  void drained(Http2Connection conn) {
    List<Http2Connection> list = connections.get(conn.key());
    if (list != null) {
      list.remove(conn);
      if (list.isEmpty()) {
        connections.remove(conn.key());
      }
    }
  }

  private void scheduleSweep() {
    if (!sweepScheduled) {
      sweepScheduled = true;
      loop.schedule(this::sweep, SWEEP_NANOS, TimeUnit.NANOSECONDS);
    }
  }

  private void sweep() {
    sweepScheduled = false;
    long now = System.nanoTime();
    List<Http2Connection> idle = new ArrayList<>();
    for (List<Http2Connection> list : connections.values()) {
      for (Http2Connection c : list) {
        if (c.isIdle() && now - c.idleSinceNanos >= c.idleTimeoutNanos()) {
          idle.add(c);
        }
      }
    }
    for (Http2Connection c : idle) {
      drained(c);
      c.channel().close();
    }
    if (!connections.isEmpty()) {
      scheduleSweep();
    }
  }

  void close() {
    for (List<Http2Connection> list : connections.values()) {
      for (Http2Connection c : list) {
        if (c.channel() != null) {
          c.channel().close();
        }
      }
    }
    connections.clear();
  }
}
