package io.meshwork.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives one keep-alive connection: at most one request in flight (no pipelining), each sent at
 * its pacer's intended start or at once if that moment has passed, and timed from the intended
 * start to the end of the response.
 *
 * <p>Timing from the intended start is what corrects coordinated omission: when the server stalls,
 * the requests that should have been sent during the stall are not silently skipped; they go out
 * late, back to back, and each carries the wait it suffered, as a real client's requests would.
 * Time comes from the event loop's ticker, so tests drive it with a frozen embedded clock.
 */
final class LoadConnection extends ChannelInboundHandlerAdapter {

  private static final long NONE = Long.MIN_VALUE;

  private final ByteBuf request;
  private final ConnectionStats stats = new ConnectionStats();
  private final CompletableFuture<ConnectionStats> finished = new CompletableFuture<>();

  private ChannelHandlerContext ctx;
  private Pacer pacer;
  private MeasurementWindow window;
  private ScheduledFuture<?> timer;
  private long inFlightIntended = NONE;
  private int status;
  private boolean started;

  /** {@code request} is an encoded request, shared; each send writes a retained duplicate. */
  LoadConnection(ByteBuf request) {
    this.request = request;
  }

  /** Completes with the stats once the window is over and the last answer is in, or on failure. */
  CompletableFuture<ConnectionStats> finished() {
    return finished;
  }

  /** Starts pacing; call once, on the channel's event loop. */
  void start(Pacer pacer, MeasurementWindow window) {
    if (started || finished.isDone()) {
      return;
    }
    started = true;
    this.pacer = pacer;
    this.window = window;
    sendNextOrWait();
  }

  /**
   * Ends the run for this connection now, counting an unanswered request as timed out; call on
   * the channel's event loop after the grace period that follows the window.
   */
  void abort() {
    if (finished.isDone()) {
      return;
    }
    if (inFlightIntended != NONE && window != null && window.records(inFlightIntended)) {
      stats.recordTimeout();
    }
    inFlightIntended = NONE;
    finish();
    ctx.close();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (finished.isDone() || !(msg instanceof HttpObject http)) {
        return;
      }
      if (http.decoderResult().isFailure() || inFlightIntended == NONE) {
        // Garbage, or an answer to nothing we asked: the connection can no longer be trusted.
        stats.recordIoFailure();
        inFlightIntended = NONE;
        ctx.close();
        return;
      }
      if (http instanceof HttpResponse response) {
        status = response.status().code();
      }
      if (http instanceof LastHttpContent) {
        onResponseEnd();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (inFlightIntended != NONE) {
      stats.recordIoFailure();
      inFlightIntended = NONE;
    }
    finish();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Reset by peer, refused write: counted once through channelInactive's in-flight check.
    ctx.close();
  }

  private void onResponseEnd() {
    long now = ctx.executor().ticker().nanoTime();
    long intended = inFlightIntended;
    inFlightIntended = NONE;
    if (window.records(intended)) {
      if (status >= 200 && status < 300) {
        stats.recordSuccess(now - intended);
      } else {
        stats.recordFailedStatus();
      }
    }
    sendNextOrWait();
  }

  private void sendNextOrWait() {
    timer = null;
    if (finished.isDone()) {
      return;
    }
    long now = ctx.executor().ticker().nanoTime();
    long intended = pacer.nextIntendedStart(now);
    if (intended == Pacer.NO_MORE) {
      finish();
      return;
    }
    if (intended > now) {
      timer = ctx.executor().schedule(this::sendNextOrWait, intended - now, TimeUnit.NANOSECONDS);
      return;
    }
    pacer.consume();
    inFlightIntended = intended;
    status = 0;
    ctx.writeAndFlush(request.retainedDuplicate(), ctx.voidPromise());
  }

  private void finish() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    finished.complete(stats);
  }
}
