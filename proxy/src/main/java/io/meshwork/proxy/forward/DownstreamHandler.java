package io.meshwork.proxy.forward;

import io.meshwork.proxy.http.ErrorResponses;
import io.meshwork.proxy.http.Http2Reads;
import io.meshwork.proxy.http.ProxyError;
import io.meshwork.proxy.tcp.TcpTraffic;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;

/**
 * Drives exchanges for one downstream: an HTTP/1.1 connection (requests one at a time, in order;
 * pipelined requests wait, RFC 9112 §9.3.2) or one HTTP/2 stream. Reading follows backpressure:
 * it stops while the upstream cannot take more body, and, on HTTP/1.1, as soon as a pipelined
 * request has to wait for the response before it. Reading is not paused for every request
 * (a keep-alive client that waits for each response never pipelines), since toggling it costs
 * a system call per request on epoll.
 */
final class DownstreamHandler extends ChannelInboundHandlerAdapter {
  private final ForwardConfig config;
  private final boolean http2;
  private ChannelHandlerContext ctx;
  private Exchange current;
  private boolean requestOpen;
  /** A bodyless HTTP/1.1 head was taken as the whole request: the decoder's empty LastHttpContent after it is dropped. */
  private boolean skipEmptyLast;
  private boolean waitingForResponse;
  private boolean uploadPaused;
  private boolean closing;
  private boolean drainingBacklog;
  private boolean settled;
  private ArrayDeque<Object> backlog;
  private InetSocketAddress remote;
  private String clientIp;

  DownstreamHandler(ForwardConfig config, boolean http2) {
    this.config = config;
    this.http2 = http2;
  }

  boolean isHttp2() {
    return http2;
  }

  InetSocketAddress remoteAddress() {
    return remote;
  }

  String clientIp() {
    return clientIp;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    Channel ch = ctx.channel();
    SocketAddress address = http2 && ch.parent() != null ? ch.parent().remoteAddress() : ch.remoteAddress();
    if (address instanceof InetSocketAddress inet) {
      remote = inet;
      clientIp = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (skipEmptyLast && msg instanceof LastHttpContent last && !last.decoderResult().isFailure()) {
      skipEmptyLast = false;
      last.release();
      return;
    }
    if (waitingForResponse || (backlog != null && !backlog.isEmpty())) {
      if (backlog == null) {
        backlog = new ArrayDeque<>(4);
      }
      backlog.add(msg);
      updateAutoRead();
      return;
    }
    handle(msg);
  }

  private void handle(Object msg) {
    if (msg instanceof HttpObject obj && obj.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      malformed(obj.decoderResult());
      return;
    }
    if (msg instanceof HttpRequest head) {
      if (requestOpen) {
        ReferenceCountUtil.release(msg);
        closeNow();
        return;
      }
      HttpRequest bare = head;
      HttpContent rest = null;
      boolean bodyless;
      if (msg instanceof FullHttpRequest full) {
        // HTTP/2 HEADERS with END_STREAM (the stream codec's only whole requests).
        bodyless = !full.content().isReadable() && full.trailingHeaders().isEmpty();
        bare = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
        rest = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
      } else {
        // RFC 9112 §6.3: without Transfer-Encoding and Content-Length an HTTP/1.1 request has no body.
        // An HTTP/2 head without END_STREAM always has DATA or trailers to come.
        bodyless = !http2 && !HttpUtil.isTransferEncodingChunked(head) && HttpUtil.getContentLength(head, 0L) == 0;
      }
      if (!settled && !http2) {
        settled = true;
        HttpListenerInitializer.settleHttp1(ctx.pipeline());
      }
      Exchange exchange = new Exchange(this, ctx, config);
      current = exchange;
      requestOpen = !bodyless;
      if (bodyless) {
        skipEmptyLast = rest == null;
        if (rest != null) {
          rest.release();
          rest = null;
        }
      }
      exchange.start(bare, bodyless);
      if (bodyless && current == exchange) {
        waitingForResponse = true;
      }
      if (rest != null) {
        content(rest);
      }
    } else if (msg instanceof HttpContent content) {
      content(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void content(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    Exchange exchange = current;
    if (exchange != null && requestOpen) {
      exchange.onRequestContent(content);
    } else {
      content.release();
    }
    if (last) {
      requestOpen = false;
      if (current != null) {
        waitingForResponse = true;
      }
    }
  }

  /** Answers a request the codec could not parse (RFC 9112 §3: 414 for a long request line, RFC 6585 §5: 431), then closes. */
  private void malformed(DecoderResult result) {
    Throwable cause = result.cause();
    if (current != null) {
      // A broken body (e.g. a bad chunk size): the exchange ends; unless its response began,
      // the client still gets its 400 (RFC 9112 §7.1).
      Exchange exchange = current;
      current = null;
      boolean answered = exchange.responseStarted();
      exchange.cancel();
      if (answered || http2) {
        closeNow();
        return;
      }
    } else if (requestOpen) {
      // Answered already (a local response before the body ended): one response per request.
      closeNow();
      return;
    }
    ProxyError error;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      error = ProxyError.URI_TOO_LONG;
      message = "request line too long";
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = ProxyError.HEADERS_TOO_LARGE;
      message = "request headers too large";
    } else if (cause instanceof TooLongFrameException) {
      error = ProxyError.HEADERS_TOO_LARGE;
      message = "request too large";
    } else {
      error = ProxyError.BAD_REQUEST;
      message = "bad request: " + (cause == null ? "malformed" : cause.getMessage());
    }
    FullHttpResponse response = ErrorResponses.of(ctx.alloc(), error, message, false);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    closing = true;
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * The current exchange finished its response. An HTTP/1.1 request whose body has not fully
   * arrived closes the connection: its client may never send the rest (an {@code Expect:
   * 100-continue} answered with a final status, RFC 9110 §10.1.1), and bytes read after it could
   * not be told apart from the next request.
   */
  void exchangeComplete(boolean close) {
    current = null;
    waitingForResponse = false;
    uploadPaused = false;
    if (http2) {
      return;
    }
    if (close || requestOpen) {
      closing = true;
      releaseBacklog();
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    drainBacklog();
    updateAutoRead();
  }

  private void drainBacklog() {
    if (drainingBacklog || backlog == null) {
      return;
    }
    drainingBacklog = true;
    try {
      Object msg;
      while (!waitingForResponse && !closing && (msg = backlog.poll()) != null) {
        handle(msg);
      }
    } finally {
      drainingBacklog = false;
    }
  }

  void setUploadPaused(boolean paused) {
    if (uploadPaused != paused) {
      uploadPaused = paused;
      updateAutoRead();
    }
  }

  private void updateAutoRead() {
    boolean read = !closing && !uploadPaused && (backlog == null || backlog.isEmpty());
    Http2Reads.setReading(ctx.channel(), read);
  }

  /** The response broke after its head was sent: HTTP/1.1 closes the connection, HTTP/2 resets the stream (RFC 9113 §8.1). */
  void abortResponse() {
    current = null;
    if (http2) {
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR)).addListener(ChannelFutureListener.CLOSE);
    } else {
      closeNow();
    }
  }

  void switchToTunnel(Channel upstream) {
    current = null;
    waitingForResponse = false;
    releaseBacklog();
    HttpListenerInitializer.switchToTunnel(ctx, upstream);
  }

  /** A CONNECT was answered 200: the connection stops speaking HTTP and carries the tunnel's bytes. */
  void switchToConnectTunnel(Channel upstream, TcpTraffic traffic) {
    current = null;
    waitingForResponse = false;
    closing = true;
    releaseBacklog();
    HttpListenerInitializer.switchToConnectTunnel(ctx, upstream, traffic);
  }

  private void closeNow() {
    closing = true;
    releaseBacklog();
    ctx.close();
  }

  private void releaseBacklog() {
    if (backlog != null) {
      Object msg;
      while ((msg = backlog.poll()) != null) {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Exchange exchange = current;
    if (exchange != null) {
      exchange.onDownstreamReadComplete();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Exchange exchange = current;
    if (exchange != null) {
      exchange.onDownstreamWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent
        || evt instanceof CleartextHttp2ServerUpgradeHandler.PriorKnowledgeUpgradeEvent) {
      // The connection now speaks HTTP/2; its streams get their own handlers.
      HttpListenerInitializer.leaveHttp1(ctx.pipeline());
      ctx.pipeline().remove(this);
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange exchange = current;
    current = null;
    if (exchange != null) {
      exchange.cancel();
    }
    releaseBacklog();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Broken or hostile downstreams end here; the event loop carries on.
    Exchange exchange = current;
    current = null;
    if (exchange != null) {
      exchange.cancel();
    }
    Http2Exception malformed = http2 ? streamError(cause) : null;
    if (malformed != null) {
      // RFC 9113 §8.1.1: a malformed request (e.g. a missing pseudo-header) is a stream error of
      // type PROTOCOL_ERROR; the connection and its other streams go on.
      closing = true;
      releaseBacklog();
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(malformed.error())).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    closeNow();
  }

  private static Http2Exception streamError(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof Http2Exception e) {
        return e;
      }
    }
    return null;
  }
}
