package io.meshwork.proxy.retry;

/** Why an attempt ended without an upstream response. */
public enum AttemptFailure {
  /** The TCP connection could not be opened (refused, unreachable, connect timeout). */
  CONNECT_FAILURE,
  /** The upstream reset or closed the connection or stream before a complete response head. */
  RESET,
  /** An HTTP/2 upstream refused the stream (REFUSED_STREAM): it was never processed. */
  REFUSED_STREAM,
  /** The per-try timeout fired. */
  PER_TRY_TIMEOUT
}
