package io.meshwork.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObject;

/**
 * One request/response exchange lent by a pool: an HTTP/1.1 connection for the duration of one
 * request, or one HTTP/2 stream. Every method must be called on the event loop that owns it.
 */
public interface UpstreamStream {

  /** Writes a request head or body part without flushing; ownership of {@code msg} passes on. */
  void write(HttpObject msg);

  void flush();

  /** Whether the transport accepts more without queueing (channel writability / stream flow control). */
  boolean isWritable();

  /** Pauses or resumes reading the response (backpressure from a slow downstream). */
  void setReadable(boolean readable);

  /** The exchange is finished with the stream; a clean HTTP/1.1 connection goes back to its pool. */
  void done();

  /** Abandons the exchange: the connection is closed or the stream reset. */
  void abort();

  /** The channel carrying the exchange (for a WebSocket tunnel after a 101). */
  Channel channel();

  /**
   * Whether the stream runs on a kept-alive connection that served earlier requests: such a
   * connection may have been closed by the upstream just as it was reused (RFC 9112 §9.3.1).
   */
  default boolean reused() {
    return false;
  }
}
