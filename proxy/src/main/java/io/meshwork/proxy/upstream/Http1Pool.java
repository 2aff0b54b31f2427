package io.meshwork.proxy.upstream;

import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.http.HttpLimits;
import io.meshwork.proxy.retry.AttemptFailure;
import io.meshwork.proxy.transport.TcpKeepalive;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/1.1 keep-alive connections of one event loop. Idle connections are reused last-in
 * first-out (the warmest socket first) and closed after the cluster's idle timeout. Confined to
 * its event loop: no locks.
 */
public final class Http1Pool {
  private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final UpstreamTlsSource tls;
  private final Map<PoolKey, ArrayDeque<Http1Connection>> idle = new HashMap<>();
  private boolean sweepScheduled;
  private boolean closed;

  Http1Pool(EventLoop loop, Bootstrap bootstrap, UpstreamTlsSource tls) {
    this.loop = loop;
    this.bootstrap = bootstrap;
    this.tls = tls;
  }

  void acquire(PoolKey key, boolean dedicated, ConnectionPoolSettings settings, UpstreamListener listener) {
    InetSocketAddress address = key.address();
    if (!dedicated) {
      ArrayDeque<Http1Connection> q = idle.get(key);
      if (q != null) {
        Http1Connection c;
        while ((c = q.pollLast()) != null) {
          if (c.isUsable()) {
            c.attach(listener);
            listener.onAcquired(c);
            return;
          }
        }
      }
    }
    Http1Connection conn = new Http1Connection(
        dedicated ? null : this, key, settings.maxRequestsPerConnection(), settings.idleTimeout().toNanos());
    conn.retireAfter(settings.maxConnectionDuration());
    SslHandler[] ssl = new SslHandler[1];
    ChannelFuture f = bootstrap.clone()
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            TcpKeepalive.apply(ch, settings.keepalive());
            ssl[0] = tls.newHandler(key.tls(), false, address, ch.alloc());
            if (ssl[0] != null) {
              ch.pipeline().addLast(ssl[0]);
            }
            ch.pipeline().addLast(
                new HttpClientCodec(new HttpDecoderConfig().setMaxHeaderSize(64 * 1024)
                    .setMaxChunkSize(HttpLimits.MAX_CHUNK_SIZE), false, false),
                conn);
          }
        })
        .connect(address);
    f.addListener((ChannelFuture done) -> {
      if (!done.isSuccess()) {
        listener.onAcquireFailed(AttemptFailure.CONNECT_FAILURE, done.cause());
      } else if (ssl[0] == null) {
        conn.attach(listener);
        listener.onAcquired(conn);
      } else {
        // The exchange starts once the peer is authenticated, so a refused handshake is a connect
        // failure (retriable) rather than a broken response.
        ssl[0].handshakeFuture().addListener(handshake -> {
          if (handshake.isSuccess()) {
            conn.attach(listener);
            listener.onAcquired(conn);
          } else {
            done.channel().close();
            listener.onAcquireFailed(AttemptFailure.CONNECT_FAILURE, handshake.cause());
          }
        });
      }
    });
  }

  void release(Http1Connection conn) {
    if (closed) {
      conn.channel().close();
      return;
    }
    conn.idleSinceNanos = System.nanoTime();
    idle.computeIfAbsent(conn.key(), a -> new ArrayDeque<>()).addLast(conn);
    if (!sweepScheduled) {
      sweepScheduled = true;
      loop.schedule(this::sweep, SWEEP_NANOS, TimeUnit.NANOSECONDS);
    }
  }

  void remove(Http1Connection conn) {
    ArrayDeque<Http1Connection> q = idle.get(conn.key());
    if (q != null) {
      q.remove(conn);
      if (q.isEmpty()) {
        idle.remove(conn.key());
      }
    }
  }

  /** Closes connections idle for longer than their cluster's idle timeout (Istio idleTimeout). */
  private void sweep() {
    sweepScheduled = false;
    long now = System.nanoTime();
    for (Iterator<ArrayDeque<Http1Connection>> it = idle.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Http1Connection> q = it.next();
      // Oldest first: the deque is ordered by release time.
      Http1Connection c;
      while ((c = q.peekFirst()) != null && now - c.idleSinceNanos >= c.idleTimeoutNanos()) {
        q.pollFirst();
        c.channel().close();
      }
      if (q.isEmpty()) {
        it.remove();
      }
    }
    if (!idle.isEmpty()) {
      sweepScheduled = true;
      loop.schedule(this::sweep, SWEEP_NANOS, TimeUnit.NANOSECONDS);
    }
  }

  int idleCount(InetSocketAddress address) {
    int count = 0;
    for (Map.Entry<PoolKey, ArrayDeque<Http1Connection>> e : idle.entrySet()) {
      if (e.getKey().address().equals(address)) {
        count += e.getValue().size();
      }
    }
    return count;
  }

  void close() {
    closed = true;
    for (ArrayDeque<Http1Connection> q : idle.values()) {
      for (Http1Connection c : q) {
        c.channel().close();
      }
    }
    idle.clear();
  }
}
