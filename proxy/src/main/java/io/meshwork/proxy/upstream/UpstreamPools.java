package io.meshwork.proxy.upstream;

import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.cluster.UpstreamTls;
import io.meshwork.proxy.transport.IoTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The connection pools of every event loop. An exchange asks with its own event loop and gets a
 * connection registered on that loop, so the request path never crosses threads (Envoy's worker
 * model). The map is built once and only read afterwards.
 */
public final class UpstreamPools implements Upstreams {
  private record LoopPools(Http1Pool http1, Http2Pool http2) {}

  private final Map<EventExecutor, LoopPools> byLoop = new IdentityHashMap<>();
  private final UpstreamTlsSource tls;

  /** Pools that connect in plaintext. */
  public UpstreamPools(IoTransport transport) {
    this(transport, UpstreamTlsSource.PLAINTEXT);
  }

  /** Pools that secure connections as {@code tls} decides per endpoint. */
  public UpstreamPools(IoTransport transport, UpstreamTlsSource tls) {
    this.tls = tls;
    for (EventExecutor executor : transport.workers()) {
      EventLoop loop = (EventLoop) executor;
      Bootstrap bootstrap = new Bootstrap()
          .group(loop)
          .channel(transport.socketChannel())
          .option(ChannelOption.ALLOCATOR, transport.allocator())
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.SO_KEEPALIVE, true);
      byLoop.put(loop, new LoopPools(new Http1Pool(loop, bootstrap, tls), new Http2Pool(loop, bootstrap, tls)));
    }
  }

  @Override
  public void acquire(
      EventLoop loop,
      InetSocketAddress address,
      boolean http2,
      boolean dedicated,
      ConnectionPoolSettings settings,
      UpstreamListener listener) {
    LoopPools pools = byLoop.get(loop);
    if (pools == null) {
      throw new IllegalStateException("loop: " + loop + " (expected: a worker of this sidecar)");
    }
    PoolKey key = new PoolKey(address, tls.tlsFor(address));
    // Between sidecars HTTP/1.1 travels multiplexed over HTTP/2 (ALPN h2); the far side's inbound
    // port turns it back into HTTP/1.1 for its application. Protocol upgrades stay on HTTP/1.1.
    boolean meshHttp2 = key.tls() instanceof UpstreamTls.IstioMutual;
    if ((http2 || meshHttp2) && !dedicated) {
      pools.http2().acquire(key, settings, listener);
    } else {
      pools.http1().acquire(key, dedicated, settings, listener);
    }
  }

  /** Idle HTTP/1.1 connections to {@code address} on {@code loop}; call on that loop. */
  public int idleHttp1(EventLoop loop, InetSocketAddress address) {
    return byLoop.get(loop).http1().idleCount(address);
  }

  /** Closes every pooled connection, each on its own loop, and waits for that. */
  public void close() {
    List<Future<?>> done = new ArrayList<>();
    byLoop.forEach((loop, pools) -> {
      if (!loop.isShuttingDown()) {
        done.add(loop.submit(() -> {
          pools.http1().close();
          pools.http2().close();
        }));
      }
    });
    for (Future<?> f : done) {
      f.awaitUninterruptibly();
    }
  }
}
