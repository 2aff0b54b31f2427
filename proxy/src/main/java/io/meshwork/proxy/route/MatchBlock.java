package io.meshwork.proxy.route;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/**
 * One Istio HTTPMatchRequest, compiled: every condition it names must hold (AND).
 *
 * @param name the Istio match name, or empty
 * @param uri the path condition, or null for none
 * @param scheme the scheme condition, or null
 * @param method the method condition, or null
 * @param authority the Host/:authority condition, or null
 * @param headers header conditions, including the inverted {@code withoutHeaders}
 * @param queryParams query parameter conditions; the query string is decoded only when there are some
 * @param port the port the request addressed, or 0 for any
 */
public record MatchBlock(
    String name,
    UriCondition uri,
    StringMatcher scheme,
    StringMatcher method,
    StringMatcher authority,
    List<HeaderCondition> headers,
    List<QueryCondition> queryParams,
    int port) {

  /** A block without conditions: matches everything. */
  public static final MatchBlock ANY = new MatchBlock("", null, null, null, null, List.of(), List.of(), 0);

  public MatchBlock {
    name = name == null ? "" : name;
    headers = List.copyOf(headers);
    queryParams = List.copyOf(queryParams);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
  }

  /**
   * @return null when the request does not match, else the part of the path the uri condition matched,
   *     or "/" when there is no uri condition (the implicit prefix of every path, as Envoy's default
   *     prefix match "/" that a prefix rewrite replaces)
   */
  public String match(HttpRequest request, String path) {
    String matched;
    if (uri != null) {
      matched = uri.match(path);
      if (matched == null) {
        return null;
      }
    } else {
      matched = path.startsWith("/") ? "/" : "";
    }
    if (method != null && !method.matches(request.method().name())) {
      return null;
    }
    if (scheme != null && !scheme.matches(RequestHead.scheme(request))) {
      return null;
    }
    if (authority != null) {
      String value = RequestHead.authority(request);
      if (value == null || !authority.matches(value)) {
        return null;
      }
    }
    if (port != 0 && RequestHead.port(request) != port) {
      return null;
    }
    for (int i = 0; i < headers.size(); i++) {
      if (!headers.get(i).test(request)) {
        return null;
      }
    }
    if (!queryParams.isEmpty()) {
      Map<String, List<String>> parameters = new QueryStringDecoder(request.uri()).parameters();
      for (int i = 0; i < queryParams.size(); i++) {
        if (!queryParams.get(i).test(parameters)) {
          return null;
        }
      }
    }
    return matched;
  }
}
