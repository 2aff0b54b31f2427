package io.meshwork.proxy.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Guards one downstream HTTP/1 connection, right after the decoder: refuses malformed or ambiguous
 * requests (see {@link RequestValidator}) with their status, {@code Connection: close} and a close
 * once the answer is written, and drops every byte after a refused request, so a request smuggled
 * behind it is never seen (RFC 9112 §6.3, §11.2). It also runs the request-head timeout (armed by
 * the first byte of a head) and the idle timeout (armed while no request is in progress).
 *
 * <p>A pipelined request refused while an earlier one is in progress is answered after that one's
 * response, keeping responses in request order (RFC 9112 §9.3.2).
 */
public final class Http1Guard extends ChannelDuplexHandler {
  private static final int MAX_REASON = 160;
  private final DownstreamLimits limits;
  private final RequestValidator validator;
  private final RejectionCounters counters;
  private final HeadScanner scanner;
  private ChannelHandlerContext ctx;
  private int inProgress;
  private boolean bodyOpen;
  private boolean refused;
  private RequestValidator.Rejected pendingAnswer;
  private ScheduledFuture<?> headerTimer;
  private ScheduledFuture<?> idleTimer;

  public Http1Guard(DownstreamLimits limits, RejectionCounters counters) {
    this.limits = limits;
    this.validator = new RequestValidator(limits);
    this.counters = counters;
    this.scanner = new HeadScanner(this);
  }

  /** The byte-level half, to be placed right before the decoder. */
  public HeadScanner scanner() {
    return scanner;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      armIdle();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    armIdle();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof HttpObject obj)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (obj.decoderResult().isFailure()) {
      RejectReason reason = RequestValidator.classify(obj);
      if (msg instanceof HttpRequest) {
        ReferenceCountUtil.release(msg);
        refuse(reason, "bad request: " + describe(obj));
      } else {
        // The head went on already: the exchange answers (or resets) and the connection closes.
        counters.record(reason);
        refused = true;
        scanner.discard();
        if (reason == RejectReason.CHUNK_LINE_TOO_LONG) {
          // The decoder reports a long chunk-size line as a long line, which reads as 414 URI Too
          // Long; it is a malformed body (RFC 9112 §7.1.1), answered 400.
          ReferenceCountUtil.release(msg);
          msg = failedBody("chunk-size line longer than " + limits.maxRequestLine() + " bytes (chunk extensions too long)");
        }
        ctx.fireChannelRead(msg);
      }
      return;
    }
    if (msg instanceof HttpRequest head) {
      cancel(headerTimer);
      headerTimer = null;
      switch (validator.check(head)) {
        case RequestValidator.Rejected r -> {
          ReferenceCountUtil.release(msg);
          refuse(r.reason(), r.message());
          return;
        }
        case RequestValidator.Accepted a -> {
          if (a.authority() != null) {
            // RFC 9112 §3.2.2: the request-target's authority wins over any Host received.
            head.headers().set(HttpHeaderNames.HOST, a.authority());
          }
          if (limits.underscoreHeaders() == UnderscoreHeaders.DROP) {
            RequestValidator.dropUnderscoreHeaders(head.headers());
          }
          scanner.expect(a.framing());
        }
      }
      inProgress++;
      bodyOpen = true;
      cancel(idleTimer);
      idleTimer = null;
    }
    if (msg instanceof LastHttpContent) {
      bodyOpen = false;
    }
    ctx.fireChannelRead(msg);
  }

  /** The decoder's reason, which may quote the client's bytes: printable ASCII only, and short. */
  private static String describe(HttpObject failed) {
    Throwable cause = failed.decoderResult().cause();
    String text = cause == null ? null : cause.getMessage();
    if (text == null || text.isEmpty()) {
      return "malformed request";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_REASON));
    for (int i = 0; i < text.length() && out.length() < MAX_REASON; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }

  /** The scanner found something the decoder would have repaired. */
  void rejectRaw(RejectReason reason, String message) {
    if (refused) {
      return;
    }
    if (bodyOpen) {
      // The request in progress is the bad one (folded trailers): its exchange ends as if the
      // decoder had failed on its body, and answers 400 unless its response began.
      counters.record(reason);
      refused = true;
      scanner.discard();
      bodyOpen = false;
      ctx.fireChannelRead(failedBody(message));
      return;
    }
    refuse(reason, "bad request: " + message);
  }

  /** The end of a body that failed for {@code message}: its exchange ends and answers 400 if it still can. */
  private static LastHttpContent failedBody(String message) {
    LastHttpContent failed = new DefaultLastHttpContent();
    failed.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(message)));
    return failed;
  }

  /** The first byte of a request head arrived. */
  void headStarted() {
    if (headerTimer == null && !refused) {
      headerTimer = ctx.executor().schedule(this::onHeaderTimeout,
          limits.headerTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void refuse(RejectReason reason, String message) {
    counters.record(reason);
    refused = true;
    scanner.discard();
    cancel(headerTimer);
    cancel(idleTimer);
    RequestValidator.Rejected answer = new RequestValidator.Rejected(reason, message);
    if (inProgress == 0) {
      answer(answer);
    } else {
      pendingAnswer = answer;
    }
  }

  private void answer(RequestValidator.Rejected rejection) {
    FullHttpResponse response = ErrorResponses.of(ctx.alloc(), rejection.reason().error(), rejection.message(), false);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  private void onHeaderTimeout() {
    headerTimer = null;
    if (refused || !ctx.channel().isActive()) {
      return;
    }
    if (inProgress == 0) {
      refuse(RejectReason.HEADER_TIMEOUT, "request header timeout");
    } else {
      // A response is being written: a 408 cannot be placed in the middle of it.
      counters.record(RejectReason.HEADER_TIMEOUT);
      refused = true;
      scanner.discard();
      ctx.close();
    }
  }

  private void armIdle() {
    if (idleTimer == null && !refused) {
      idleTimer = ctx.executor().schedule(this::onIdle, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void onIdle() {
    idleTimer = null;
    if (inProgress == 0 && headerTimer == null) {
      ctx.close();
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean completes = msg instanceof LastHttpContent
        && !(msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL);
    boolean switching = msg instanceof HttpResponse r && r.status().code() == 101;
    ctx.write(msg, promise);
    if (switching) {
      cancel(idleTimer);
      idleTimer = null;
      scanner.passThrough();
    }
    if (completes && inProgress > 0 && msg instanceof HttpContent) {
      inProgress--;
      if (inProgress == 0) {
        if (pendingAnswer != null) {
          RequestValidator.Rejected answer = pendingAnswer;
          pendingAnswer = null;
          answer(answer);
        } else if (!refused) {
          armIdle();
        }
      }
    }
  }

  /** The connection stopped speaking HTTP/1 (h2c upgrade, prior knowledge, a tunnel): nothing left to guard. */
  public void stop() {
    cancel(headerTimer);
    cancel(idleTimer);
    headerTimer = null;
    idleTimer = null;
    scanner.passThrough();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
