package io.meshwork.proxy.http;

/** Why a downstream HTTP/1 request was refused before anything of it was forwarded; each is counted. */
public enum RejectReason {
  /** RFC 9112 §6.1: a request with both is a smuggling attempt and must be treated as an error. */
  CONTENT_LENGTH_WITH_TRANSFER_ENCODING(ProxyError.BAD_REQUEST),
  /** RFC 9112 §6.1: only chunked is implemented; other codings are answered 501. */
  UNSUPPORTED_TRANSFER_ENCODING(ProxyError.NOT_IMPLEMENTED),
  /** RFC 9112 §6.1: Transfer-Encoding on HTTP/1.0, or chunked applied twice. */
  INVALID_TRANSFER_ENCODING(ProxyError.BAD_REQUEST),
  /** RFC 9112 §6.3: repeated (even equal) or non-numeric Content-Length. */
  INVALID_CONTENT_LENGTH(ProxyError.BAD_REQUEST),
  /** RFC 9112 §5.2: line folding in a request is rejected. */
  OBSOLETE_LINE_FOLDING(ProxyError.BAD_REQUEST),
  /** RFC 9110 §5.1, §5.5: a field name that is not a token, or a value with control characters. */
  INVALID_HEADER(ProxyError.BAD_REQUEST),
  /**
   * A header name with an underscore that reads as a framing header ({@code Transfer_Encoding},
   * {@code Content_Length}), or any such name when {@link UnderscoreHeaders#REJECT} is chosen.
   */
  UNDERSCORE_HEADER(ProxyError.BAD_REQUEST),
  /** RFC 9112 §2.2: a bare CR or LF as a line terminator. */
  INVALID_LINE_TERMINATOR(ProxyError.BAD_REQUEST),
  /** RFC 9112 §3.2: HTTP/1.1 without Host. */
  MISSING_HOST(ProxyError.BAD_REQUEST),
  /** RFC 9112 §3.2: more than one Host field line. */
  MULTIPLE_HOST(ProxyError.BAD_REQUEST),
  /**
   * RFC 9110 §7.2: a Host value that is no uri-host[:port], or an empty one where the target has no
   * authority (RFC 9112 §3.2; RFC 9110 §4.2.1: an http URI with an empty host is invalid).
   */
  INVALID_HOST(ProxyError.BAD_REQUEST),
  /** RFC 9112 §3: a request line that does not parse (method, target, version). */
  INVALID_REQUEST_LINE(ProxyError.BAD_REQUEST),
  /** RFC 9112 §3.2: a request-target in none of the four forms, or with characters outside them. */
  INVALID_REQUEST_TARGET(ProxyError.BAD_REQUEST),
  /** RFC 9110 §15.6.6: a major version other than 1 on an HTTP/1 connection. */
  UNSUPPORTED_VERSION(ProxyError.VERSION_NOT_SUPPORTED),
  /** RFC 9112 §7.1: a chunk size that is not hexadecimal, or chunk data not ended by CRLF. */
  INVALID_CHUNK(ProxyError.BAD_REQUEST),
  /**
   * RFC 9112 §7.1.1: a chunk-size line (its extensions) longer than the request-line limit. A
   * server ought to limit chunk extensions; this is a malformed body, not a long URI, so 400.
   */
  CHUNK_LINE_TOO_LONG(ProxyError.BAD_REQUEST),
  URI_TOO_LONG(ProxyError.URI_TOO_LONG),
  HEADERS_TOO_LARGE(ProxyError.HEADERS_TOO_LARGE),
  TOO_MANY_HEADERS(ProxyError.HEADERS_TOO_LARGE),
  /** The head did not arrive in time (slowloris). */
  HEADER_TIMEOUT(ProxyError.REQUEST_TIMEOUT);

  private final ProxyError error;

  RejectReason(ProxyError error) {
    this.error = error;
  }

  /** The answer: status, gRPC status and x-meshwork-error reason. */
  public ProxyError error() {
    return error;
  }
}
