package io.meshwork.proxy.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Settles one inbound connection's transport from its first bytes: a TLS record header
 * (RFC 8446 §5.1) gets a TLS handler and the peer-identity recorder; plaintext passes through
 * unless the mode is STRICT, which closes the connection. A sidecar without a usable certificate
 * closes TLS connections, and under STRICT every connection (fail closed). Once settled, the handler
 * leaves the pipeline and hands the bytes read so far to what follows.
 */
final class PeerModeHandler extends ByteToMessageDecoder {
  /** A TLS record header: type, version, length. */
  private static final int RECORD_HEADER = 5;
  /** How long a peer may take to send its first bytes (Envoy's listener_filters_timeout default). */
  static final long DETECTION_TIMEOUT_MILLIS = 15_000;

  private final InboundTls inbound;
  private final PeerMode mode;
  private final boolean credentials;
  private ScheduledFuture<?> timeout;

  /** @param credentials whether the sidecar has a certificate to answer a TLS client hello with */
  PeerModeHandler(InboundTls inbound, PeerMode mode, boolean credentials) {
    this.inbound = inbound;
    this.mode = mode;
    this.credentials = credentials;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    if (mode == PeerMode.DISABLE) {
      ctx.pipeline().remove(this);
      return;
    }
    timeout = ctx.executor().schedule(() -> {
      if (ctx.pipeline().context(this) != null) {
        ctx.close();
      }
    }, DETECTION_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (timeout != null) {
      timeout.cancel(false);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.readableBytes() < RECORD_HEADER) {
      return;
    }
    if (SslHandler.isEncrypted(in, false)) {
      if (!credentials) {
        in.skipBytes(in.readableBytes());
        inbound.refusedWithoutIdentity(ctx.channel());
        ctx.close();
        return;
      }
      SslHandler ssl = inbound.tls().server().newHandler(ctx.alloc());
      ctx.pipeline().addAfter(ctx.name(), null, ssl);
      ctx.pipeline().addAfter(ctx.pipeline().context(ssl).name(), null,
          new PeerIdentityRecorder(inbound, inbound.tls().validator()));
      ctx.pipeline().remove(this);
    } else if (mode == PeerMode.STRICT) {
      in.skipBytes(in.readableBytes());
      inbound.refused(ctx.channel());
      ctx.close();
    } else {
      ctx.pipeline().remove(this);
    }
  }
}
