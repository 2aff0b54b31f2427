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
 *
 * <p>It also refuses at once what the decoder would accept or wait on: a bare CR or LF in a head,
 * trailer section or chunk-size line (RFC 9112 §2.2, §7.1), and a request line that is not exactly
 * {@code method SP request-target SP HTTP/DIGIT.DIGIT} ({@link RequestLineSyntax}).
 */
public final class HeadScanner extends ChannelInboundHandlerAdapter {
  private enum State { HEAD, TRAILERS, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, OPAQUE, DISCARD }

  private final Http1Guard guard;
  private State state = State.HEAD;
  private boolean started;
  private boolean atLineStart = true;
  private boolean lineHasContent;
  private boolean afterCr;
  private boolean inRequestLine;
  private final RequestLineSyntax requestLine = new RequestLineSyntax();
  private long remaining;
  private long chunkSize;
  private boolean chunkSizeDone;
  /** A ';' was read in a chunk-size line and its extension's name has not begun. */
  private boolean extensionNameDue;
  /** Inside a quoted chunk-ext-val, where ';' is data. */
  private boolean chunkQuoted;
  private boolean chunkEscaped;
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
          if (afterCr != (b == '\n')) {
            // RFC 9112 §2.2: a bare CR must be rejected (a recipient that takes it for a line end
            // reads other fields), and this strict parser takes no bare LF either. Refused at
            // once: a head of bare CRs has no LF for the decoder to wait for.
            reject(RejectReason.INVALID_LINE_TERMINATOR, afterCr ? "bare CR in header section" : "bare LF in header section");
            return;
          }
          afterCr = false;
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
              if (inRequestLine) {
                inRequestLine = false;
                String problem = requestLine.end();
                if (problem != null) {
                  reject(RejectReason.INVALID_REQUEST_LINE, problem);
                  return;
                }
              }
              atLineStart = true;
              lineHasContent = false;
            }
          } else if (b == '\r') {
            afterCr = true;
          } else {
            if (atLineStart && (b == ' ' || b == '\t')) {
              reject(started ? RejectReason.OBSOLETE_LINE_FOLDING : RejectReason.INVALID_REQUEST_LINE,
                  started ? "obsolete line folding in header section" : "whitespace before the request line");
              return;
            }
            if (!started && state == State.HEAD) {
              guard.headStarted();
              inRequestLine = true;
              requestLine.reset();
            }
            started = true;
            atLineStart = false;
            lineHasContent = true;
            if (inRequestLine) {
              String problem = requestLine.accept(b);
              if (problem != null) {
                reject(RejectReason.INVALID_REQUEST_LINE, problem);
                return;
              }
            }
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
          if (afterCr != (b == '\n')) {
            // RFC 9112 §7.1, §2.2: the chunk-size line ends with CRLF, nothing else.
            reject(RejectReason.INVALID_CHUNK, afterCr ? "bare CR in chunk size line" : "bare LF in chunk size line");
            return;
          }
          afterCr = false;
          if (b == '\r') {
            if (extensionNameDue) {
              reject(RejectReason.INVALID_CHUNK, "chunk extension without a name");
              return;
            }
            afterCr = true;
          } else if (b == '\n') {
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
            chunkQuoted = false;
            chunkEscaped = false;
          } else if (extensionNameDue && b != ' ' && b != '\t') {
            extensionNameDue = false;
            if (b == ';' || b == '=') {
              // RFC 9112 §7.1.1: chunk-ext-name = token; a bare ";" names nothing.
              reject(RejectReason.INVALID_CHUNK, "chunk extension without a name");
              return;
            }
          } else if (chunkQuoted) {
            if (chunkEscaped) {
              chunkEscaped = false;
            } else if (b == '\\') {
              chunkEscaped = true;
            } else if (b == '"') {
              chunkQuoted = false;
            }
          } else if (b == '"') {
            chunkQuoted = true;
          } else if (b == ';') {
            chunkSizeDone = true;
            extensionNameDue = true;
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
    inRequestLine = false;
  }

  private void reject(RejectReason reason, String message) {
    guard.rejectRaw(reason, message);
    state = State.DISCARD;
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
