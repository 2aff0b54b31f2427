package io.meshwork.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits in front of the HTTP/1 decoder and looks at the raw bytes of every request head and trailer
 * section for what the decoder would silently repair: a line starting with whitespace, which is
 * obs-fold (RFC 9112 §5.2: a server must reject it or replace it; a proxy that unfolds forwards a
 * header its upstream may read differently), or whitespace before the request line (RFC 9112 §2.2).
 *
 * <p>To know where the next head starts it follows the body framing the decoder will use, which the
 * {@link Http1Guard} reports while the head is being decoded: each head is passed on as its own
 * slice so that report arrives before any following byte is examined.
 */
public final class HeadScanner extends ChannelInboundHandlerAdapter {
  private enum State { HEAD, TRAILERS, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, OPAQUE, DISCARD }

  private final Http1Guard guard;
  private State state = State.HEAD;
  private boolean started;
  private boolean atLineStart = true;
  private boolean lineHasContent;
  private long remaining;
  private long chunkSize;
  private boolean chunkSizeDone;
  private BodyFraming reported;

  HeadScanner(Http1Guard guard) {
    this.guard = guard;
  }

  /** The head just decoded is followed by a body framed like this. */
  void expect(BodyFraming framing) {
    reported = framing;
  }

  /** Nothing more on this connection is HTTP/1 to inspect (a protocol switch). */
  void passThrough() {
    state = State.OPAQUE;
  }

  /** The connection was refused: the remaining bytes are dropped. */
  void discard() {
    state = State.DISCARD;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      scan(ctx, buf);
    } finally {
      buf.release();
    }
  }

  private void scan(ChannelHandlerContext ctx, ByteBuf buf) {
    int forwardFrom = buf.readerIndex();
    int i = buf.readerIndex();
    int end = buf.writerIndex();
    while (i < end) {
      switch (state) {
        case DISCARD -> {
          return;
        }
        case OPAQUE -> i = end;
        case HEAD, TRAILERS -> {
          byte b = buf.getByte(i++);
          if (b == '\n') {
            if (started && !lineHasContent) {
              boolean trailers = state == State.TRAILERS;
              resetHead();
              if (trailers) {
                continue;
              }
              // End of a head: let the decoder see exactly this much, learn the framing, go on.
              reported = null;
              ctx.fireChannelRead(buf.retainedSlice(forwardFrom, i - forwardFrom));
              forwardFrom = i;
              afterHead();
            } else {
              atLineStart = true;
              lineHasContent = false;
            }
          } else if (b != '\r') {
            if (atLineStart && (b == ' ' || b == '\t')) {
              guard.rejectRaw(started
                  ? RejectReason.OBSOLETE_LINE_FOLDING : RejectReason.INVALID_REQUEST_LINE,
                  started ? "obsolete line folding in header section" : "whitespace before the request line");
              state = State.DISCARD;
              return;
            }
            if (!started && state == State.HEAD) {
              guard.headStarted();
            }
            started = true;
            atLineStart = false;
            lineHasContent = true;
          }
        }
        case FIXED_BODY -> {
          int n = (int) Math.min(remaining, end - i);
          i += n;
          remaining -= n;
          if (remaining == 0) {
            state = State.HEAD;
          }
        }
        case CHUNK_SIZE -> {
          byte b = buf.getByte(i++);
          if (b == '\n') {
            if (chunkSize == 0) {
              state = State.TRAILERS;
              started = true;
              atLineStart = true;
              lineHasContent = false;
            } else {
              state = State.CHUNK_DATA;
              remaining = chunkSize;
            }
            chunkSize = 0;
            chunkSizeDone = false;
          } else if (!chunkSizeDone) {
            int digit = Character.digit(b, 16);
            if (digit < 0) {
              chunkSizeDone = true;
            } else if (chunkSize > (Long.MAX_VALUE >> 5)) {
              // The decoder refuses such a size; nothing after it is HTTP we could frame.
              state = State.OPAQUE;
            } else {
              chunkSize = chunkSize * 16 + digit;
            }
          }
        }
        case CHUNK_DATA -> {
          int n = (int) Math.min(remaining, end - i);
          i += n;
          remaining -= n;
          if (remaining == 0) {
            state = State.CHUNK_DATA_END;
            remaining = 2;
          }
        }
        case CHUNK_DATA_END -> {
          i++;
          if (--remaining == 0) {
            state = State.CHUNK_SIZE;
          }
        }
      }
    }
    if (forwardFrom < end && state != State.DISCARD) {
      ctx.fireChannelRead(buf.retainedSlice(forwardFrom, end - forwardFrom));
    }
  }

  private void resetHead() {
    state = State.HEAD;
    started = false;
    atLineStart = true;
    lineHasContent = false;
  }

  private void afterHead() {
    if (state == State.DISCARD || state == State.OPAQUE) {
      return;
    }
    switch (reported) {
      case null -> state = State.OPAQUE;
      case BodyFraming.None n -> state = State.HEAD;
      case BodyFraming.Fixed f -> {
        state = State.FIXED_BODY;
        remaining = f.length();
      }
      case BodyFraming.Chunked c -> {
        state = State.CHUNK_SIZE;
        chunkSize = 0;
        chunkSizeDone = false;
      }
      case BodyFraming.Opaque o -> state = State.OPAQUE;
    }
  }
}
