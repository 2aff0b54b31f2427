package io.meshwork.proxy.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * Pausing and resuming the reads of a channel whose reads are the proxy's backpressure. On an
 * HTTP/2 stream channel reading is flow control: a stream's consumed bytes are returned to the
 * peer as WINDOW_UPDATE when the stream asks to read again (RFC 9113 §6.9). Netty writes that
 * WINDOW_UPDATE on the read request but, when the request comes from inside another channel's
 * event (a downstream turning writable during its own flush), leaves it unflushed; the peer then
 * never learns of the window and the stream stalls with both sides holding window. So a resumed
 * stream flushes its connection: cheap when nothing is pending, and the one thing that keeps a
 * proxied stream moving.
 */
public final class Http2Reads {
  private Http2Reads() {}

  /** Stops or resumes reading {@code channel}; a resumed HTTP/2 stream's WINDOW_UPDATE leaves at once. */
  public static void setReading(Channel channel, boolean reading) {
    if (channel.config().isAutoRead() == reading) {
      return;
    }
    channel.config().setAutoRead(reading);
    if (reading && channel instanceof Http2StreamChannel stream && stream.parent().isActive()) {
      stream.parent().flush();
    }
  }
}
