package io.meshwork.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The downstream HTTP/1 front as the listener builds it (scanner, strict decoder, guard) in an
 * EmbeddedChannel, ending in an application that answers 200 with the body length it read.
 */
public final class GuardedPipeline implements AutoCloseable {
  public final EmbeddedChannel channel;
  public final RejectionCounters counters = new RejectionCounters();
  /** Request heads that got past the guard. */
  public final List<HttpRequest> forwarded = new ArrayList<>();

  private final ByteBufAllocator alloc;

  public GuardedPipeline(DownstreamLimits limits) {
    this(limits, ByteBufAllocator.DEFAULT);
  }

  /** @param alloc every buffer of the channel and of the input comes from it, so tests can count leaks */
  public GuardedPipeline(DownstreamLimits limits, ByteBufAllocator alloc) {
    this.alloc = alloc;
    Http1Guard guard = new Http1Guard(limits, counters);
    channel = new EmbeddedChannel();
    channel.config().setAllocator(alloc);
    channel.freezeTime();
    channel.pipeline().addLast(guard.scanner(), new HttpServerCodec(HttpLimits.decoderConfig(limits)), guard,
        new ChannelInboundHandlerAdapter() {
          private long bodyBytes;

          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
              if (msg instanceof HttpRequest head) {
                forwarded.add(head);
                bodyBytes = 0;
              }
              if (msg instanceof HttpContent content) {
                if (content.decoderResult().isFailure()) {
                  ctx.close();
                  return;
                }
                bodyBytes += content.content().readableBytes();
                if (content instanceof LastHttpContent) {
                  byte[] body = ("read " + bodyBytes).getBytes(StandardCharsets.US_ASCII);
                  FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                      Unpooled.wrappedBuffer(body));
                  ok.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                  ctx.writeAndFlush(ok);
                }
              }
            } finally {
              ReferenceCountUtil.release(msg);
            }
          }
        });
  }

  public GuardedPipeline() {
    this(DownstreamLimits.DEFAULTS);
  }

  /** Writes bytes (ISO-8859-1) in one read. */
  public GuardedPipeline send(String raw) {
    if (channel.isOpen()) {
      send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }
    return this;
  }

  public GuardedPipeline send(byte[] raw) {
    return send(raw, 0, raw.length);
  }

  public GuardedPipeline send(byte[] raw, int offset, int length) {
    if (channel.isOpen()) {
      channel.writeInbound(alloc.heapBuffer(length).writeBytes(raw, offset, length));
    }
    return this;
  }

  /** Everything written back so far, as text. */
  public String output() {
    StringBuilder out = new StringBuilder();
    Object o;
    while ((o = channel.readOutbound()) != null) {
      if (o instanceof ByteBuf buf) {
        out.append(buf.toString(StandardCharsets.ISO_8859_1));
      }
      ReferenceCountUtil.release(o);
    }
    return out.toString();
  }

  /** How many status lines the output holds. */
  public static int responses(String output) {
    return (int) java.util.regex.Pattern.compile("HTTP/1\\.1 \\d{3} ").matcher(output).results().count();
  }

  @Override
  public void close() {
    channel.finishAndReleaseAll();
  }
}
