package io.meshwork.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * The framing of an opaque stream between two sidecars (ALPN {@code meshwork-tcp/1}, inside mutual
 * TLS): each chunk of the app's bytes is a 4-byte big-endian length and that many bytes; a length of
 * zero ends the sender's direction, as a TCP FIN would. A FIN cannot travel as TCP under TLS (a bare
 * FIN reads as truncation, and a close_notify ends both directions in the TLS engine), so half-closed
 * protocols keep working across the mesh. A connection that ends without that frame was cut, and the
 * splice closes both sides.
 */
public final class StreamFraming {
  /** Written to a framed channel: ends this side's direction. Read from one: the peer ended its direction. */
  public static final Object FIN = new Object() {
    @Override
    public String toString() {
      return "FIN";
    }
  };
  /** The largest chunk in one frame; bigger buffers go in several. */
  static final int MAX_FRAME = 1 << 20;
  private static final String DECODER = "stream-frame-decoder";
  private static final String ENCODER = "stream-frame-encoder";

  private StreamFraming() {}

  /** Adds the framing at the end of {@code pipeline}, behind its TLS handler. */
  public static void install(ChannelPipeline pipeline) {
    pipeline.addLast(DECODER, new Decoder());
    pipeline.addLast(ENCODER, new Encoder());
  }

  /** Whether {@code pipeline} speaks the framing. */
  public static boolean isFramed(ChannelPipeline pipeline) {
    return pipeline.get(ENCODER) != null;
  }

  private static final class Decoder extends ByteToMessageDecoder {
    private boolean finished;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      while (!finished && in.readableBytes() >= 4) {
        int length = in.getInt(in.readerIndex());
        if (length < 0 || length > MAX_FRAME) {
          // Only a peer sidecar speaks this protocol, and it was authenticated: this is a bug or an attack.
          in.skipBytes(in.readableBytes());
          ctx.close();
          return;
        }
        if (length == 0) {
          in.skipBytes(4);
          finished = true;
          out.add(FIN);
          break;
        }
        if (in.readableBytes() < 4 + length) {
          return;
        }
        in.skipBytes(4);
        out.add(in.readRetainedSlice(length));
      }
      if (finished) {
        // Nothing may follow the end of the direction.
        in.skipBytes(in.readableBytes());
      }
    }
  }

  private static final class Encoder extends ChannelOutboundHandlerAdapter {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg == FIN) {
        ctx.write(ctx.alloc().buffer(4).writeInt(0), promise);
        return;
      }
      if (!(msg instanceof ByteBuf buf) || !buf.isReadable()) {
        // Empty buffers carry flushes and promises; they are no frame.
        ctx.write(msg, promise);
        return;
      }
      while (buf.readableBytes() > MAX_FRAME) {
        ctx.write(ctx.alloc().buffer(4).writeInt(MAX_FRAME), ctx.voidPromise());
        ctx.write(buf.readRetainedSlice(MAX_FRAME), ctx.voidPromise());
      }
      ctx.write(ctx.alloc().buffer(4).writeInt(buf.readableBytes()), ctx.voidPromise());
      ctx.write(buf, promise);
    }
  }
}
