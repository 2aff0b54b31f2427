package io.meshwork.proxy.tls;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.security.SvidValidator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.Optional;

/**
 * Stores the peer's SPIFFE ID on the connection once the handshake succeeds, then leaves the
 * pipeline. The trust manager already refused invalid SVIDs; reading the ID here again from the
 * session keeps the identity that authorization sees the one that was verified.
 */
final class PeerIdentityRecorder extends ChannelInboundHandlerAdapter {
  private final InboundTls inbound;
  private final SvidValidator validator;

  PeerIdentityRecorder(InboundTls inbound, SvidValidator validator) {
    this.inbound = inbound;
    this.validator = validator;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent done) {
      if (done.isSuccess()) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        Optional<SpiffeId> peer = ssl == null ? Optional.empty() : validator.peerOf(ssl.engine().getSession());
        if (peer.isEmpty()) {
          inbound.handshakeFailed(ctx.channel(), new IllegalStateException("peer presented no valid SVID"));
          ctx.close();
          return;
        }
        ctx.channel().attr(PeerIdentity.ATTR).set(peer.get());
        inbound.peerVerified();
        if (MeshTls.TUNNEL_PROTOCOL.equals(ssl.applicationProtocol())) {
          // An opaque stream, not HTTP: the handlers behind this one never see it.
          inbound.tunnel(ctx, peer.get());
          return;
        }
        ctx.pipeline().remove(this);
      } else {
        inbound.handshakeFailed(ctx.channel(), done.cause());
        ctx.close();
        return;
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Still here means the handshake has not succeeded: the error comes from untrusted bytes (bad
    // records, a refused certificate) and ends this connection only; the completion event counts it.
    ctx.close();
  }
}
