package io.meshwork.proxy.http;

import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.InvalidChunkTerminationException;
import io.netty.handler.codec.http.InvalidLineSeparatorException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.TransferEncodingNotAllowedException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The checks a strict proxy makes on a decoded HTTP/1 request head before it forwards anything
 * (RFC 9112 §3, §6.1, §6.3; RFC 9110 §7.2), and the classification of what the decoder itself
 * refused. Pure: the caller answers and closes (and drops underscore headers, {@link
 * #dropUnderscoreHeaders}).
 */
public final class RequestValidator {

  /** The outcome for one head. */
  public sealed interface Verdict permits Accepted, Rejected {}

  /**
   * @param framing how the body that follows is delimited
   * @param authority for an absolute-form target, the authority that replaces Host (RFC 9112 §3.2.2); else null
   */
  public record Accepted(BodyFraming framing, String authority) implements Verdict {}

  public record Rejected(RejectReason reason, String message) implements Verdict {}

  private final DownstreamLimits limits;

  public RequestValidator(DownstreamLimits limits) {
    this.limits = limits;
  }

  public Verdict check(HttpRequest head) {
    HttpVersion version = head.protocolVersion();
    if (version.majorVersion() != 1 || !"HTTP".equals(version.protocolName())) {
      return reject(RejectReason.UNSUPPORTED_VERSION, "HTTP version " + version.text() + " is not supported");
    }
    HttpHeaders headers = head.headers();
    if (headers.size() > limits.maxHeaderCount()) {
      return reject(RejectReason.TOO_MANY_HEADERS,
          "too many header fields: " + headers.size() + " (limit " + limits.maxHeaderCount() + ")");
    }
    String uri = head.uri();
    String target = targetProblem(head.method(), uri);
    if (target != null) {
      return reject(RejectReason.INVALID_REQUEST_TARGET, target);
    }
    List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1) {
      return reject(RejectReason.MULTIPLE_HOST, "more than one Host header");
    }
    if (hosts.isEmpty() && version.minorVersion() >= 1) {
      return reject(RejectReason.MISSING_HOST, "HTTP/1.1 request without Host");
    }
    boolean targetHasAuthority = isAbsoluteForm(uri) || HttpMethod.CONNECT.equals(head.method());
    if (!hosts.isEmpty() && !isAuthority(hosts.get(0), targetHasAuthority)) {
      // RFC 9112 §3.2: Host is empty only when the target URI has no authority, which no http
      // URI lacks (RFC 9110 §4.2.1); an origin-form request with an empty Host names no origin.
      return reject(RejectReason.INVALID_HOST, hosts.get(0).isEmpty() ? "empty Host header" : "invalid Host header");
    }
    String underscore = underscoreProblem(headers, limits.underscoreHeaders());
    if (underscore != null) {
      return reject(RejectReason.UNDERSCORE_HEADER, underscore);
    }
    List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    List<String> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
    if (!codings.isEmpty() && !lengths.isEmpty()) {
      return reject(RejectReason.CONTENT_LENGTH_WITH_TRANSFER_ENCODING, "Content-Length with Transfer-Encoding");
    }
    BodyFraming framing = BodyFraming.NONE;
    if (!codings.isEmpty()) {
      if (version.minorVersion() == 0) {
        return reject(RejectReason.INVALID_TRANSFER_ENCODING, "Transfer-Encoding in an HTTP/1.0 request");
      }
      // Only "chunked" alone is implemented: anything else (gzip, chunked) would have to be decoded
      // by a recipient that may frame it differently.
      if (codings.size() != 1 || !"chunked".equalsIgnoreCase(codings.get(0).trim())) {
        return reject(RejectReason.UNSUPPORTED_TRANSFER_ENCODING,
            "unsupported Transfer-Encoding " + String.join(", ", codings) + " (expected: chunked)");
      }
      framing = BodyFraming.CHUNKED;
    } else if (!lengths.isEmpty()) {
      long length = contentLength(lengths);
      if (length < 0) {
        return reject(RejectReason.INVALID_CONTENT_LENGTH, "invalid Content-Length");
      }
      framing = length == 0 ? BodyFraming.NONE : new BodyFraming.Fixed(length);
    }
    // After CONNECT the bytes are a tunnel's. An Upgrade request keeps its framing: a client sends
    // nothing more before the 101 (RFC 9110 §7.8, RFC 6455 §4.1), and if the upgrade is refused
    // the connection goes on with HTTP/1.1 and its heads are still inspected.
    if (HttpMethod.CONNECT.equals(head.method())) {
      framing = BodyFraming.OPAQUE;
    }
    String authority = isAbsoluteForm(uri) ? absoluteAuthority(uri) : null;
    if (authority != null && !isAuthority(authority, false)) {
      return reject(RejectReason.INVALID_REQUEST_TARGET, "invalid authority in request-target");
    }
    return new Accepted(framing, authority);
  }

  /** Why the decoder refused a message; {@code failed} carries the failure in its decoder result. */
  public static RejectReason classify(HttpObject failed) {
    Throwable cause = failed.decoderResult().cause();
    return switch (cause) {
      // The decoder's line limit covers chunk-size lines too; only the request line's is a URI problem.
      case TooLongHttpLineException e -> failed instanceof HttpRequest ? RejectReason.URI_TOO_LONG
          : RejectReason.CHUNK_LINE_TOO_LONG;
      case TooLongHttpHeaderException e -> RejectReason.HEADERS_TOO_LARGE;
      case ContentLengthNotAllowedException e -> RejectReason.CONTENT_LENGTH_WITH_TRANSFER_ENCODING;
      case TransferEncodingNotAllowedException e -> RejectReason.INVALID_TRANSFER_ENCODING;
      case InvalidLineSeparatorException e -> RejectReason.INVALID_LINE_TERMINATOR;
      case InvalidChunkTerminationException e -> RejectReason.INVALID_CHUNK;
      case null -> RejectReason.INVALID_REQUEST_LINE;
      default -> failed instanceof HttpRequest head ? classifyHead(head) : failed instanceof HttpContent
          ? RejectReason.INVALID_CHUNK : RejectReason.INVALID_REQUEST_LINE;
    };
  }

  private static RejectReason classifyHead(HttpRequest head) {
    HttpHeaders headers = head.headers();
    List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!codings.isEmpty() && headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      return RejectReason.CONTENT_LENGTH_WITH_TRANSFER_ENCODING;
    }
    if (!codings.isEmpty()) {
      boolean chunkedOnlyLast = codings.size() == 1 && "chunked".equalsIgnoreCase(codings.get(0).trim());
      boolean mentionsChunked = codings.stream().anyMatch(c -> c.toLowerCase(java.util.Locale.ROOT).contains("chunked"));
      return chunkedOnlyLast || mentionsChunked && codings.size() > 1
          ? RejectReason.INVALID_TRANSFER_ENCODING : RejectReason.UNSUPPORTED_TRANSFER_ENCODING;
    }
    List<String> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
    if (!lengths.isEmpty()) {
      return RejectReason.INVALID_CONTENT_LENGTH;
    }
    // Netty stands a placeholder request in for a request line it could not parse.
    if (headers.isEmpty() && "/bad-request".equals(head.uri())) {
      return RejectReason.INVALID_REQUEST_LINE;
    }
    return RejectReason.INVALID_HEADER;
  }

  /** Why the underscore header names of a head refuse it, or null (RFC 9110 §5.1 allows {@code _} in a token). */
  static String underscoreProblem(HttpHeaders headers, UnderscoreHeaders action) {
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (!hasUnderscore(name)) {
        continue;
      }
      String dashed = name.toString().replace('_', '-');
      if (HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(dashed)
          || HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(dashed)) {
        return "header name " + name + " reads as " + dashed + " where '_' is taken for '-'";
      }
      if (action == UnderscoreHeaders.REJECT) {
        return "header name with an underscore: " + name;
      }
    }
    return null;
  }

  /**
   * Removes the header fields whose name holds an underscore ({@link UnderscoreHeaders#DROP}); a
   * head the validator accepted holds none that read as framing headers.
   */
  static void dropUnderscoreHeaders(HttpHeaders headers) {
    List<String> names = null;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (hasUnderscore(name)) {
        if (names == null) {
          names = new ArrayList<>(2);
        }
        names.add(name.toString());
      }
    }
    if (names != null) {
      names.forEach(headers::remove);
    }
  }

  private static boolean hasUnderscore(CharSequence name) {
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) == '_') {
        return true;
      }
    }
    return false;
  }

  private static Rejected reject(RejectReason reason, String message) {
    return new Rejected(reason, message);
  }

  /** RFC 9112 §3.2: origin-form, absolute-form, authority-form (CONNECT only), asterisk-form (OPTIONS only). */
  private static String targetProblem(HttpMethod method, String uri) {
    if (uri.isEmpty()) {
      return "empty request-target";
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return "request-target holds a character outside visible ASCII at index " + i;
      }
    }
    if (HttpMethod.CONNECT.equals(method)) {
      return isAuthority(uri, false) ? null : "CONNECT needs an authority-form request-target";
    }
    if ("*".equals(uri)) {
      return HttpMethod.OPTIONS.equals(method) ? null : "asterisk-form is for OPTIONS only";
    }
    if (uri.charAt(0) == '/' || isAbsoluteForm(uri)) {
      return uri.indexOf('#') >= 0 ? "request-target holds a fragment" : null;
    }
    return "request-target in no known form";
  }

  private static boolean isAbsoluteForm(String uri) {
    int colon = uri.indexOf("://");
    if (colon <= 0) {
      return false;
    }
    for (int i = 0; i < colon; i++) {
      char c = uri.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String absoluteAuthority(String uri) {
    int start = uri.indexOf("://") + 3;
    int end = start;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    return uri.substring(start, end);
  }

  /**
   * RFC 9110 §7.2 / RFC 3986 §3.2: uri-host [":" port]; no userinfo, path or whitespace. An empty
   * Host is allowed when the target has no authority.
   */
  static boolean isAuthority(String value, boolean emptyAllowed) {
    if (value.isEmpty()) {
      return emptyAllowed;
    }
    String host = value;
    String port = null;
    if (value.charAt(0) == '[') {
      int close = value.indexOf(']');
      if (close < 0) {
        return false;
      }
      for (int i = 1; i < close; i++) {
        char c = value.charAt(i);
        if (!(isHex(c) || c == ':' || c == '.')) {
          return false;
        }
      }
      if (close + 1 < value.length()) {
        if (value.charAt(close + 1) != ':') {
          return false;
        }
        port = value.substring(close + 2);
      }
      host = null;
    } else {
      int colon = value.lastIndexOf(':');
      if (colon >= 0) {
        host = value.substring(0, colon);
        port = value.substring(colon + 1);
      }
    }
    if (host != null) {
      if (host.isEmpty()) {
        return false;
      }
      for (int i = 0; i < host.length(); i++) {
        char c = host.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || "-._~%!$&'()*+,;=".indexOf(c) >= 0;
        if (!ok) {
          return false;
        }
      }
    }
    if (port != null) {
      if (port.length() > 5) {
        return false;
      }
      for (int i = 0; i < port.length(); i++) {
        if (port.charAt(i) < '0' || port.charAt(i) > '9') {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static long contentLength(List<String> lengths) {
    if (lengths.size() != 1) {
      return -1;
    }
    String v = lengths.get(0).trim();
    if (v.isEmpty() || v.length() > 18) {
      return -1;
    }
    // 1*DIGIT allows leading zeros (RFC 9110 §8.6), but a recipient that reads "0200" as octal
    // frames the body differently; no sender needs them.
    if (v.length() > 1 && v.charAt(0) == '0') {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
