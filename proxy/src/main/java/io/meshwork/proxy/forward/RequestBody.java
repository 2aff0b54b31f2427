package io.meshwork.proxy.forward;

import io.meshwork.proxy.upstream.UpstreamStream;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;

/**
 * The request body on its way upstream, kept for replay while it is small. Parts not yet sent
 * wait here (while connecting or backing off); parts already sent are kept as long as the whole
 * body stays within the replay limit, so a retry can send them again. Past the limit the request
 * is no longer retriable and sent parts are released at once (linkerd2-proxy's 64 KiB rule).
 */
public final class RequestBody {
  public static final int DEFAULT_REPLAY_LIMIT = 64 * 1024;

  private final int replayLimit;
  private final ArrayDeque<HttpContent> unsent = new ArrayDeque<>(4);
  private final ArrayDeque<HttpContent> sent = new ArrayDeque<>(4);
  private long totalBytes;
  private long unsentBytes;
  private boolean replayable = true;
  private boolean complete;

  public RequestBody(int replayLimit) {
    this.replayLimit = replayLimit;
  }

  /** Takes ownership of one part. */
  public void add(HttpContent part) {
    int n = part.content().readableBytes();
    totalBytes += n;
    unsentBytes += n;
    if (part instanceof LastHttpContent) {
      complete = true;
    }
    if (replayable && totalBytes > replayLimit) {
      replayable = false;
      releaseAll(sent);
    }
    unsent.add(part);
  }

  /** Writes every unsent part to {@code stream}, keeping a retained copy while replayable. */
  public void sendTo(UpstreamStream stream) {
    HttpContent part;
    while ((part = unsent.poll()) != null) {
      if (replayable) {
        sent.add(part);
        stream.write(part.retainedDuplicate());
      } else {
        stream.write(part);
      }
    }
    unsentBytes = 0;
  }

  /** Hands a retained copy of every part not yet sent to {@code sink} (a mirror that starts after the first parts came). */
  public void copyUnsent(java.util.function.Consumer<HttpContent> sink) {
    for (HttpContent part : unsent) {
      sink.accept(part.retainedDuplicate());
    }
  }

  /** Makes everything sent so far unsent again, for the next attempt. Only valid while replayable. */
  public void rewind() {
    if (!replayable) {
      throw new IllegalStateException("replayable: false (expected: true)");
    }
    HttpContent part;
    while ((part = sent.pollLast()) != null) {
      unsentBytes += part.content().readableBytes();
      unsent.addFirst(part);
    }
  }

  public boolean isReplayable() {
    return replayable;
  }

  /** Whether the last part arrived. */
  public boolean isComplete() {
    return complete;
  }

  /** Bytes waiting to be sent: the downstream stops being read while this is above the replay limit. */
  public long unsentBytes() {
    return unsentBytes;
  }

  public boolean overLimit() {
    return unsentBytes > replayLimit;
  }

  public void release() {
    releaseAll(sent);
    releaseAll(unsent);
    unsentBytes = 0;
  }

  private static void releaseAll(ArrayDeque<HttpContent> parts) {
    HttpContent part;
    while ((part = parts.poll()) != null) {
      part.release();
    }
  }
}
