package io.meshwork.proxy.upstream;

import io.meshwork.proxy.http.Http2Reads;
import io.meshwork.proxy.retry.AttemptFailure;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * One HTTP/2 stream on an upstream connection, seen as HTTP/1-style objects through
 * {@code Http2StreamFrameToHttpObjectCodec}; trailers arrive in the {@code LastHttpContent}.
 */
final class Http2UpstreamStream extends ChannelInboundHandlerAdapter implements UpstreamStream {
  private final Http2Connection connection;
  private UpstreamListener listener;
  private Channel channel;
  private boolean requestDone;
  private boolean responseDone;
  private AttemptFailure failure = AttemptFailure.RESET;

  Http2UpstreamStream(Http2Connection connection, UpstreamListener listener) {
    this.connection = connection;
    this.listener = listener;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void write(HttpObject msg) {
    if (listener == null || channel == null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof LastHttpContent) {
      requestDone = true;
    }
    channel.write(msg, channel.voidPromise());
  }

  @Override
  public void flush() {
    if (channel != null) {
      channel.flush();
    }
  }

  @Override
  public boolean isWritable() {
    return channel != null && channel.isWritable();
  }

  @Override
  public void setReadable(boolean readable) {
    if (channel != null) {
      Http2Reads.setReading(channel, readable);
    }
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public void done() {
    listener = null;
    if (!(requestDone && responseDone) && channel != null) {
      channel.close();
    }
  }

  @Override
  public void abort() {
    listener = null;
    if (channel != null) {
      channel.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    UpstreamListener l = listener;
    if (l == null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse head) {
      int code = head.status().code();
      boolean interim = code >= 100 && code < 200 && code != 101;
      if (msg instanceof FullHttpResponse full) {
        // A HEADERS frame with END_STREAM, e.g. a gRPC trailers-only response.
        if (interim) {
          l.onInformational(full);
          return;
        }
        HttpResponse bare = new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers());
        l.onResponseHead(bare, true);
        deliver(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
        return;
      }
      if (interim) {
        l.onInformational(head);
      } else {
        l.onResponseHead(head, false);
      }
    } else if (msg instanceof HttpContent content) {
      deliver(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void deliver(HttpContent content) {
    if (content instanceof LastHttpContent) {
      responseDone = true;
    }
    UpstreamListener l = listener;
    if (l != null) {
      l.onResponseContent(content);
    } else {
      content.release();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame reset) {
      failure = reset.errorCode() == Http2Error.REFUSED_STREAM.code() ? AttemptFailure.REFUSED_STREAM : AttemptFailure.RESET;
    } else if (evt instanceof Http2GoAwayFrame) {
      // The stream is above the GOAWAY's last-stream-id: the peer never processed it (RFC 9113 §6.8).
      failure = AttemptFailure.REFUSED_STREAM;
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    if (l != null) {
      l.onResponseReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    if (l != null) {
      l.onWritabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    connection.streamClosed();
    UpstreamListener l = listener;
    listener = null;
    if (l != null && !responseDone) {
      l.onStreamFailure(failure, new IOException("upstream stream closed: " + failure));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
