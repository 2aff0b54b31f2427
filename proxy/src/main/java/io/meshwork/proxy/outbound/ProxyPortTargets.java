package io.meshwork.proxy.outbound;

import io.meshwork.proxy.forward.RequestUris;
import io.meshwork.proxy.forward.Target;
import io.meshwork.proxy.forward.TargetResolver;
import io.meshwork.proxy.http.ProxyError;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.Locale;

/**
 * The HTTP proxy port's ways in, tried in order: an absolute-form request-target
 * ({@code HTTP_PROXY} clients, RFC 9112 §3.2.2), Dapr's service invocation path
 * {@code /v1.0/invoke/{app-id}/method/{path}}, a {@code dapr-app-id} header, and finally Host. A
 * CONNECT names the host and port to tunnel to (authority-form).
 */
public final class ProxyPortTargets implements TargetResolver {
  public static final AsciiString DAPR_APP_ID = AsciiString.cached("dapr-app-id");
  private static final String INVOKE_PREFIX = "/v1.0/invoke/";
  private static final String METHOD_SEGMENT = "/method";

  @Override
  public Resolution resolve(HttpRequest request) {
    if (HttpMethod.CONNECT.equals(request.method())) {
      return connectTarget(request.uri());
    }
    String uri = request.uri();
    if (RequestUris.isAbsolute(uri)) {
      String authority = RequestUris.authority(uri);
      return authorityTarget(authority, uri.substring(RequestUris.pathStart(uri)));
    }
    if (uri.startsWith(INVOKE_PREFIX)) {
      return daprInvoke(uri);
    }
    String appId = request.headers().get(DAPR_APP_ID);
    if (appId != null && !appId.isBlank()) {
      String host = appId.trim().toLowerCase(Locale.ROOT);
      return new Resolved(RequestUris.originForm(host, 0, host, uri));
    }
    String hostHeader = request.headers().get(HttpHeaderNames.HOST);
    if (hostHeader == null || hostHeader.isBlank()) {
      return new Rejected(ProxyError.BAD_REQUEST, "bad request: no Host header and no absolute URI");
    }
    return authorityTarget(hostHeader.trim(), uri);
  }

  /**
   * RFC 9110 §9.3.6, RFC 9112 §3.2.3: a CONNECT names exactly {@code host:port}, the port required;
   * no scheme, userinfo or path.
   */
  private static Resolution connectTarget(String uri) {
    int port = RequestUris.port(uri);
    String host = RequestUris.host(uri);
    boolean bracketed = uri.startsWith("[");
    if (port <= 0 || host.isEmpty() || uri.indexOf('/') >= 0 || uri.indexOf('@') >= 0
        || (!bracketed && host.indexOf(':') >= 0) || (bracketed && !uri.contains("]:"))) {
      return new Rejected(ProxyError.BAD_REQUEST,
          "bad request: CONNECT target \"" + uri + "\" (expected: host:port, e.g. example.com:443)");
    }
    return new Resolved(new Target(host, port, uri, "/", null));
  }

  private static Resolution authorityTarget(String authority, String originForm) {
    int port = RequestUris.port(authority);
    String host = RequestUris.host(authority);
    if (port < 0 || host.isEmpty()) {
      return new Rejected(ProxyError.BAD_REQUEST, "bad request: invalid authority \"" + authority + "\"");
    }
    return new Resolved(RequestUris.originForm(host, port, authority, originForm.isEmpty() ? "/" : originForm));
  }

  /** {@code /v1.0/invoke/orders/method/items/7?x=1} targets host {@code orders}, path {@code /items/7?x=1}. */
  private static Resolution daprInvoke(String uri) {
    int idStart = INVOKE_PREFIX.length();
    int idEnd = uri.indexOf('/', idStart);
    if (idEnd <= idStart || !uri.startsWith(METHOD_SEGMENT, idEnd)) {
      return new Rejected(ProxyError.BAD_REQUEST,
          "bad request: invoke path " + uri + " (expected: /v1.0/invoke/{app-id}/method/{path})");
    }
    String appId = uri.substring(idStart, idEnd).toLowerCase(Locale.ROOT);
    int rest = idEnd + METHOD_SEGMENT.length();
    String remainder = uri.substring(rest);
    if (!remainder.isEmpty() && remainder.charAt(0) != '/' && remainder.charAt(0) != '?') {
      return new Rejected(ProxyError.BAD_REQUEST,
          "bad request: invoke path " + uri + " (expected: /v1.0/invoke/{app-id}/method/{path})");
    }
    String originForm = remainder.isEmpty() || remainder.charAt(0) == '?' ? "/" + remainder : remainder;
    return new Resolved(RequestUris.originForm(appId, 0, appId, originForm));
  }
}
