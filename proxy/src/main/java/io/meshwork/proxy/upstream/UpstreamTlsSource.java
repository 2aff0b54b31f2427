package io.meshwork.proxy.upstream;

import io.meshwork.proxy.cluster.UpstreamTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;

/**
 * Decides how a new upstream connection is secured. Pools ask once per acquisition for the
 * settings (which are part of the pool key) and once per new connection for a handler, so a
 * rotated certificate applies to new connections while pooled ones keep theirs.
 */
public interface UpstreamTlsSource {
  UpstreamTlsSource PLAINTEXT = new UpstreamTlsSource() {
    @Override
    public UpstreamTls tlsFor(InetSocketAddress address) {
      return UpstreamTls.PLAINTEXT;
    }

    @Override
    public SslHandler newHandler(UpstreamTls tls, boolean http2, InetSocketAddress address, ByteBufAllocator alloc) {
      return null;
    }
  };

  /** The settings of the cluster that {@code address} belongs to in the current snapshot. */
  UpstreamTls tlsFor(InetSocketAddress address);

  /**
   * A client TLS handler for one new connection, or null for plaintext.
   *
   * @param http2 whether the connection will speak HTTP/2 (ALPN h2) rather than HTTP/1.1
   */
  SslHandler newHandler(UpstreamTls tls, boolean http2, InetSocketAddress address, ByteBufAllocator alloc);
}
