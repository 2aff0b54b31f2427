package io.meshwork.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * Applies the header-name rules of HTTP/1 ({@link UnderscoreHeaders}) to one HTTP/2 request
 * stream, whose request goes on as HTTP/1.1 where the upstream speaks it: a name that reads as a
 * framing header once {@code _} becomes {@code -} resets the stream with PROTOCOL_ERROR before
 * anything is forwarded (a malformed request, RFC 9113 §8.1.1), other underscore names are dropped
 * by default. Sits between the stream codec and the exchange, one per stream.
 */
public final class Http2RequestGuard extends ChannelInboundHandlerAdapter {
  private final DownstreamLimits limits;
  private final RejectionCounters counters;
  private boolean refused;

  public Http2RequestGuard(DownstreamLimits limits, RejectionCounters counters) {
    this.limits = limits;
    this.counters = counters;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused && msg instanceof HttpContent) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest head && !head.decoderResult().isFailure()) {
      String problem = RequestValidator.underscoreProblem(head.headers(), limits.underscoreHeaders());
      if (problem != null) {
        refused = true;
        counters.record(RejectReason.UNDERSCORE_HEADER);
        ReferenceCountUtil.release(msg);
        ctx.fireExceptionCaught(Http2Exception.streamError(streamId(ctx), Http2Error.PROTOCOL_ERROR, "%s", problem));
        return;
      }
      if (limits.underscoreHeaders() == UnderscoreHeaders.DROP) {
        RequestValidator.dropUnderscoreHeaders(head.headers());
      }
    }
    ctx.fireChannelRead(msg);
  }

  private static int streamId(ChannelHandlerContext ctx) {
    return ctx.channel() instanceof Http2StreamChannel stream ? stream.stream().id() : 0;
  }
}
