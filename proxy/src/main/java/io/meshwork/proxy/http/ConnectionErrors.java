package io.meshwork.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * The last handler of every downstream connection (and of every HTTP/2 stream channel): an
 * exception that reached it is the client's doing, typically an HTTP/2 connection error the codec
 * answers with GOAWAY right after. It is counted by reason, logged as at most one rate-limited line
 * without a stack trace, and ends the connection (for HTTP/2 errors the codec does). Without it
 * Netty logs a WARN with the full stack trace for each one ("reached at the tail of the pipeline").
 */
@ChannelHandler.Sharable
public final class ConnectionErrors extends ChannelInboundHandlerAdapter {
  /** The handler's name in a pipeline, so handlers added later can be placed before it. */
  public static final String NAME = "connection-errors";

  private final RejectionCounters counters;
  private final ConnectionErrorLog log;

  public ConnectionErrors(RejectionCounters counters, ConnectionErrorLog log) {
    this.counters = counters;
    this.log = log;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ConnectionError reason = ConnectionError.of(cause);
    counters.record(reason);
    Channel ch = ctx.channel();
    Channel connection = ch instanceof Http2StreamChannel ? ch.parent() : ch;
    log.report(reason, connection.remoteAddress(), cause);
    if (!reason.http2()) {
      // The HTTP/2 codec reports a connection error before it sends GOAWAY and closes
      // (RFC 9113 §5.4.1); closing here would lose the GOAWAY. Anything else ends the connection.
      ctx.close();
    }
  }
}
