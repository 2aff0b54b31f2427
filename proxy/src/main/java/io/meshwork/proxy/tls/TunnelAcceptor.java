package io.meshwork.proxy.tls;

import io.meshwork.model.identity.SpiffeId;
import io.netty.channel.Channel;

/**
 * Takes an opaque stream that a peer sidecar opened over mutual TLS with ALPN
 * {@link MeshTls#TUNNEL_PROTOCOL}. The channel arrives with its HTTP handlers gone and auto-read off;
 * the acceptor decides, connects and splices, or closes it.
 */
@FunctionalInterface
public interface TunnelAcceptor {
  /** @param peer the SPIFFE ID the handshake verified */
  void accept(Channel channel, SpiffeId peer);
}
