package io.meshwork.proxy.policy;

import io.meshwork.proxy.security.authn.JwtResult;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Applies a validated token's effects to the request the app receives: the token removed from
 * where it was found unless {@code forwardOriginalToken} (Istio's default is to strip it), and the
 * {@code outputPayloadToHeader} / {@code outputClaimToHeaders} headers set.
 */
final class JwtHeaders {
  private JwtHeaders() {}

  static void apply(HttpRequest request, JwtResult.Authenticated result) {
    result.headersToRemove().forEach(request.headers()::remove);
    if (!result.paramsToRemove().isEmpty()) {
      request.setUri(withoutParams(request.uri(), result.paramsToRemove()));
    }
    for (Map.Entry<String, String> header : result.headersToAdd().entrySet()) {
      request.headers().set(header.getKey(), header.getValue());
    }
  }

  /** {@code uri} without the query parameters named in {@code names} (compared after decoding). */
  static String withoutParams(String uri, List<String> names) {
    int q = uri.indexOf('?');
    if (q < 0) {
      return uri;
    }
    StringJoiner kept = new StringJoiner("&");
    for (String pair : uri.substring(q + 1).split("&", -1)) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String decoded;
      try {
        decoded = java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        decoded = name;
      }
      if (!pair.isEmpty() && !names.contains(decoded)) {
        kept.add(pair);
      }
    }
    return kept.length() == 0 ? uri.substring(0, q) : uri.substring(0, q) + "?" + kept;
  }
}
