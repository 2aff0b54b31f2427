package io.meshwork.proxy.forward;

import io.meshwork.proxy.http.ErrorResponses;
import io.meshwork.proxy.http.HopByHopHeaders;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.route.RouteDecision;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * Shapes message heads as they cross the proxy: hop-by-hop headers go (RFC 9110 §7.6.1),
 * framing is rebuilt for the next hop (RFC 9112 §6), the route's rewrites and header operations
 * apply, and the forwarding headers are added. Heads are changed in place: no copies.
 */
final class ForwardedHeads {
  static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  static final AsciiString X_ATTEMPT_COUNT = AsciiString.cached("x-envoy-attempt-count");
  private static final AsciiString HTTP = AsciiString.cached("http");

  private ForwardedHeads() {}

  /**
   * Turns a downstream request head into the upstream one: origin-form (RFC 9112 §3.2.1) with the
   * route's uri and authority rewrites, Host set to the target service, HTTP/1.1 framing.
   *
   * @param clientIp the downstream peer, appended to x-forwarded-for; null to skip
   * @param keepUpgrade whether this is a WebSocket handshake whose Upgrade must survive
   */
  static void upstreamRequest(HttpRequest request, Target target, RouteDecision.Matched matched,
      RouteAction.Forward action, String clientIp, boolean keepUpgrade) {
    HttpHeaders h = request.headers();
    boolean chunked = HopByHopHeaders.strip(h, keepUpgrade);
    String path = target.path();
    if (action.uriRewrite() != null) {
      path = action.uriRewrite().apply(path, matched.matchedPrefix());
    }
    String uri = request.uri();
    String query = target.query();
    boolean unchanged = uri.startsWith(path)
        && uri.length() == path.length() + (query == null ? 0 : query.length() + 1);
    if (!unchanged) {
      request.setUri(query == null ? path : path + '?' + query);
    }
    String authority = action.authorityRewrite() != null ? action.authorityRewrite() : target.authority();
    if (authority != null) {
      h.set(HttpHeaderNames.HOST, authority);
    }
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (chunked) {
      h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    if (clientIp != null) {
      String prior = h.get(X_FORWARDED_FOR);
      h.set(X_FORWARDED_FOR, prior == null ? clientIp : prior + ", " + clientIp);
    }
    if (!h.contains(X_FORWARDED_PROTO)) {
      h.set(X_FORWARDED_PROTO, HTTP);
    }
    if (!h.contains(X_REQUEST_ID)) {
      h.set(X_REQUEST_ID, RequestIds.next());
    }
    if (action.requestHeaders() != null && !action.requestHeaders().isEmpty()) {
      action.requestHeaders().applyTo(h);
    }
    RouteAction.WeightedCluster destination = matched.destination();
    if (destination != null && destination.requestHeaders() != null && !destination.requestHeaders().isEmpty()) {
      destination.requestHeaders().applyTo(h);
    }
  }

  /**
   * Turns an upstream response head into the downstream one.
   *
   * @param bodyless whether the response ends with its head (it goes downstream as one message)
   * @return whether the downstream HTTP/1.1 connection stays open after this response
   */
  static boolean downstreamResponse(HttpResponse head, RouteAction.Forward action,
      RouteAction.WeightedCluster destination, boolean http2Downstream, HttpVersion clientVersion,
      boolean headRequest, boolean bodyless, boolean keepAlive, boolean keepUpgrade) {
    HttpHeaders h = head.headers();
    HopByHopHeaders.strip(h, keepUpgrade);
    if (action.responseHeaders() != null && !action.responseHeaders().isEmpty()) {
      action.responseHeaders().applyTo(h);
    }
    if (destination != null && destination.responseHeaders() != null && !destination.responseHeaders().isEmpty()) {
      destination.responseHeaders().applyTo(h);
    }
    if (http2Downstream) {
      return true;
    }
    head.setProtocolVersion(HttpVersion.HTTP_1_1);
    int code = head.status().code();
    boolean noContent = headRequest || code == 204 || code == 304 || code < 200;
    boolean open = keepAlive;
    if (bodyless && !noContent && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      // An HTTP/2 response that ended on its head (e.g. gRPC trailers-only): its length is 0 (RFC 9112 §6.3).
      h.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
    } else if (!noContent && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      // RFC 9112 §6.1: chunked framing lets the connection live on; a 1.0 client needs close-delimiting.
      if (clientVersion.isKeepAliveDefault()) {
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        open = false;
      }
    }
    if (!keepUpgrade) {
      connectionHeader(h, open, clientVersion);
    }
    return open;
  }

  /** Connection: close when the connection ends after this response; keep-alive for a 1.0 client that asked for it. */
  static void connectionHeader(HttpHeaders h, boolean keepAlive, HttpVersion clientVersion) {
    if (!keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (!clientVersion.isKeepAliveDefault()) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  /** The grpc-status of a trailers-only response head, or -1. */
  static int grpcStatus(HttpHeaders headers) {
    String s = headers.get(ErrorResponses.GRPC_STATUS);
    if (s == null) {
      return -1;
    }
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** An HTTP/1.1 WebSocket opening handshake (RFC 6455 §4.1): Connection: upgrade and Upgrade: websocket. */
  static boolean isWebSocketUpgrade(HttpHeaders h) {
    String upgrade = h.get(HttpHeaderNames.UPGRADE);
    return upgrade != null && HopByHopHeaders.containsToken(upgrade, "websocket")
        && HopByHopHeaders.containsToken(h.get(HttpHeaderNames.CONNECTION), "upgrade");
  }
}
