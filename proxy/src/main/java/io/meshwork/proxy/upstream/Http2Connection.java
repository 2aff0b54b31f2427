package io.meshwork.proxy.upstream;

import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.retry.AttemptFailure;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One multiplexed HTTP/2 upstream connection. It sits after the {@code Http2MultiplexHandler}
 * and sees the connection-level frames: SETTINGS_MAX_CONCURRENT_STREAMS bounds how many streams
 * it lends (RFC 9113 §5.1.2), and a GOAWAY makes it drain: no new streams, closed once the
 * active ones end (RFC 9113 §6.8).
 */
final class Http2Connection extends ChannelInboundHandlerAdapter {
  /** Assumed until the peer's SETTINGS arrive (RFC 9113 §6.5.2 recommends at least 100). */
  private static final int INITIAL_MAX_STREAMS = 100;

  private final Http2Pool pool;
  private final InetSocketAddress address;
  private final PoolKey key;
  private final long idleTimeoutNanos;
  private final ConnectionPoolSettings settings;
  private final ArrayDeque<UpstreamListener> waiting = new ArrayDeque<>();
  private Channel channel;
  private Http2StreamChannelBootstrap streams;
  private boolean connected;
  private boolean settingsReceived;
  private boolean draining;
  private boolean closed;
  private int active;
  private int opened;
  private int maxStreams = INITIAL_MAX_STREAMS;
  long idleSinceNanos = System.nanoTime();

  Http2Connection(Http2Pool pool, PoolKey key, ConnectionPoolSettings settings) {
    this.pool = pool;
    this.key = key;
    this.address = key.address();
    this.settings = settings;
    if (settings.maxConcurrentStreams() > 0) {
      maxStreams = Math.min(maxStreams, settings.maxConcurrentStreams());
    }
    this.idleTimeoutNanos = settings.idleTimeout().toNanos();
  }

  InetSocketAddress address() {
    return address;
  }

  PoolKey key() {
    return key;
  }

  long idleTimeoutNanos() {
    return idleTimeoutNanos;
  }

  boolean isIdle() {
    return connected && active == 0 && waiting.isEmpty();
  }

  Channel channel() {
    return channel;
  }

  boolean hasCapacity() {
    int max = settings.maxRequestsPerConnection();
    return !draining && !closed && active + waiting.size() < maxStreams
        && (max <= 0 || opened + waiting.size() < max);
  }

  /**
   * Opens a stream now, or once the connection is up and the peer's SETTINGS told how many
   * streams it takes.
   */
  void open(UpstreamListener listener) {
    if (!connected || !settingsReceived) {
      waiting.add(listener);
      return;
    }
    active++;
    opened++;
    if (settings.maxRequestsPerConnection() > 0 && opened >= settings.maxRequestsPerConnection() && !draining) {
      // Istio maxRequestsPerConnection: this stream is the connection's last; it closes once drained.
      draining = true;
      pool.drained(this);
    }
    Http2UpstreamStream stream = new Http2UpstreamStream(this, listener);
    streams.open().addListener((Future<Http2StreamChannel> f) -> {
      if (f.isSuccess()) {
        f.getNow().pipeline().addLast(stream);
        listener.onAcquired(stream);
      } else {
        streamClosed();
        listener.onAcquireFailed(AttemptFailure.REFUSED_STREAM, f.cause());
      }
    });
  }

  void connected(Channel ch) {
    channel = ch;
    connected = true;
    Duration maxAge = settings.maxConnectionDuration();
    if (!maxAge.isZero() && !maxAge.isNegative()) {
      ch.eventLoop().schedule(this::retire, maxAge.toNanos(), TimeUnit.NANOSECONDS);
    }
    streams = new Http2StreamChannelBootstrap(ch).handler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel child) {
        child.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false));
      }
    });
  }

  /**
   * Istio tcp.maxConnectionDuration: the connection takes no new stream and closes once its streams are done; new
   * requests open another connection.
   */
  private void retire() {
    if (draining || closed) {
      return;
    }
    draining = true;
    pool.drained(this);
    openWaiting();
    if (active == 0 && channel != null) {
      channel.close();
    }
  }

  /** Lends waiting streams up to the peer's limit; the rest go to another connection. */
  private void openWaiting() {
    UpstreamListener l;
    while ((l = waiting.poll()) != null) {
      if (!draining && active < maxStreams) {
        open(l);
      } else {
        pool.acquire(key, settings, l);
      }
    }
  }

  void connectFailed(Throwable cause) {
    closed = true;
    failWaiting(AttemptFailure.CONNECT_FAILURE, cause);
  }

  private void failWaiting(AttemptFailure failure, Throwable cause) {
    UpstreamListener l;
    while ((l = waiting.poll()) != null) {
      l.onAcquireFailed(failure, cause);
    }
  }

  void streamClosed() {
    active--;
    if (active == 0) {
      idleSinceNanos = System.nanoTime();
      if (draining) {
        channel.close();
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof Http2SettingsFrame settings) {
        Long max = settings.settings().maxConcurrentStreams();
        if (max != null) {
          maxStreams = (int) Math.min(Integer.MAX_VALUE, max);
        }
        int mine = this.settings.maxConcurrentStreams();
        if (mine > 0 && mine < maxStreams) {
          // Istio http.maxConcurrentStreams: below the peer's own limit, more requests open more connections.
          maxStreams = mine;
        }
        if (!settingsReceived) {
          settingsReceived = true;
          openWaiting();
        }
      } else if (msg instanceof Http2GoAwayFrame) {
        draining = true;
        pool.drained(this);
        openWaiting();
        if (active == 0) {
          ctx.close();
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    pool.drained(this);
    failWaiting(AttemptFailure.RESET, new IOException("upstream connection closed"));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
