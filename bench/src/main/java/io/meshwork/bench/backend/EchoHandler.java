package io.meshwork.bench.backend;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers every request with the canned body once the request has been read to its end, keeping
 * the connection open as HTTP/1.1 persistence rules say (RFC 9112 §9.3). Responses written during
 * one read are flushed together on read-complete, so pipelined requests cost one syscall.
 */
final class EchoHandler extends ChannelInboundHandlerAdapter {

  private final CannedResponses responses;
  private boolean keepAlive = true;
  private boolean closing;

  EchoHandler(CannedResponses responses) {
    this.responses = responses;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (closing || !(msg instanceof HttpObject http)) {
        return;
      }
      if (http.decoderResult().isFailure()) {
        // Malformed request line or headers: RFC 9112 §2.2 allows answering 400 and closing.
        closing = true;
        ctx.writeAndFlush(responses.badRequest()).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      if (http instanceof HttpRequest request) {
        keepAlive = HttpUtil.isKeepAlive(request);
      }
      if (http instanceof LastHttpContent) {
        if (keepAlive) {
          ctx.write(responses.okKeepAlive());
        } else {
          closing = true;
          ctx.writeAndFlush(responses.okThenClose()).addListener(ChannelFutureListener.CLOSE);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A peer reset is routine under load; the connection is gone either way.
    ctx.close();
  }
}
