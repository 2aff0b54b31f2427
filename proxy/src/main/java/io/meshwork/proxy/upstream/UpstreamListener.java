package io.meshwork.proxy.upstream;

import io.meshwork.proxy.retry.AttemptFailure;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/** Receives what happens to one attempt on an upstream: acquisition, the response, and breakage. All calls arrive on the owning event loop. */
public interface UpstreamListener {

  void onAcquired(UpstreamStream stream);

  /** No connection or stream could be had (connect failure, connect timeout, refused stream). */
  void onAcquireFailed(AttemptFailure failure, Throwable cause);

  /** A 1xx response other than 101 (e.g. 100 Continue, RFC 9110 §15.2), whole; the final response follows. */
  void onInformational(HttpResponse head);

  /**
   * The final response head; never also an {@code HttpContent}. A {@code LastHttpContent} always
   * follows, empty when {@code endOfStream}.
   *
   * @param endOfStream whether the response ended with its head (HTTP/2 HEADERS with END_STREAM,
   *     e.g. a gRPC trailers-only response); HTTP/1.1 heads report false
   */
  void onResponseHead(HttpResponse head, boolean endOfStream);

  /** A response body part; the last one is a {@code LastHttpContent} that may carry trailers. Ownership passes on. */
  void onResponseContent(HttpContent content);

  /** The end of one read batch from the upstream: time to flush downstream. */
  void onResponseReadComplete();

  void onWritabilityChanged(boolean writable);

  /** The stream broke before the response completed. */
  void onStreamFailure(AttemptFailure failure, Throwable cause);
}
