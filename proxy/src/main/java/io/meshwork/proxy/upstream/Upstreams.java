package io.meshwork.proxy.upstream;

import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/** Where exchanges get upstream streams from: the per-event-loop pools in production. */
public interface Upstreams {

  /**
   * Lends a stream to {@code address} on {@code loop}; the outcome arrives at {@code listener}, possibly
   * before this method returns.
   *
   * @param http2 whether to speak HTTP/2 (prior knowledge) rather than HTTP/1.1
   * @param dedicated a fresh HTTP/1.1 connection that never returns to the pool (protocol upgrades)
   */
  void acquire(
      EventLoop loop,
      InetSocketAddress address,
      boolean http2,
      boolean dedicated,
      ConnectionPoolSettings settings,
      UpstreamListener listener);
}
