package io.meshwork.proxy.tls;

import io.meshwork.model.identity.SpiffeId;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import java.util.Optional;

/**
 * The SPIFFE ID a peer proved in the mutual-TLS handshake of an inbound connection; the source
 * principal of authorization policies (Istio {@code source.principals}). Absent on plaintext.
 */
public final class PeerIdentity {
  public static final AttributeKey<SpiffeId> ATTR = AttributeKey.valueOf(PeerIdentity.class, "peer");

  private PeerIdentity() {}

  /** The peer of {@code ch}; for an HTTP/2 stream, the peer of the connection carrying it. */
  public static Optional<SpiffeId> of(Channel ch) {
    Channel connection = ch instanceof Http2StreamChannel && ch.parent() != null ? ch.parent() : ch;
    return Optional.ofNullable(connection.attr(ATTR).get());
  }
}
