package io.meshwork.proxy.tcp;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.Endpoint;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;

/**
 * The TLS an opaque stream to a mesh endpoint is wrapped in: mutual TLS to the peer sidecar, so a
 * SOCKS5 or CONNECT tunnel keeps the mesh's identity and encryption as HTTP does.
 */
public interface StreamTls {
  /** Streams go as the app sends them. */
  StreamTls NONE = new StreamTls() {
    @Override
    public SslHandler handler(Cluster cluster, Endpoint endpoint, ByteBufAllocator alloc) {
      return null;
    }

    @Override
    public String protocol() {
      return null;
    }
  };

  /**
   * The client handler for a new stream to {@code endpoint} of {@code cluster}, or null when the stream goes as the app
   * sends it (no mutual TLS toward that endpoint).
   */
  SslHandler handler(Cluster cluster, Endpoint endpoint, ByteBufAllocator alloc);

  /** The ALPN protocol the handshake must settle on for the stream to start. */
  String protocol();
}
