package io.meshwork.proxy.route;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One route's compiled {@code corsPolicy} (the Fetch standard's CORS protocol, as Envoy's CORS filter
 * applies it). An origin is allowed when one of {@code allowOrigins} matches it, or matches {@code *}
 * (so {@code exact: "*"} allows every origin); the allowed origin is echoed back, never a wildcard, so
 * credentials work with it. Nothing is added for an origin that is not allowed: the browser then
 * refuses the response, which is how CORS denies.
 *
 * @param origins the allowOrigins matchers
 * @param allowMethods the {@code access-control-allow-methods} value, or null
 * @param allowHeaders the {@code access-control-allow-headers} value, or null
 * @param exposeHeaders the {@code access-control-expose-headers} value, or null
 * @param maxAge the {@code access-control-max-age} value in seconds, or null
 * @param allowCredentials whether {@code access-control-allow-credentials: true} is sent
 */
public record CorsRules(List<StringMatcher> origins, String allowMethods, String allowHeaders, String exposeHeaders,
    String maxAge, boolean allowCredentials) {
  public static final AsciiString ORIGIN = AsciiString.cached("origin");
  static final AsciiString REQUEST_METHOD = AsciiString.cached("access-control-request-method");
  static final AsciiString ALLOW_ORIGIN = AsciiString.cached("access-control-allow-origin");
  static final AsciiString ALLOW_CREDENTIALS = AsciiString.cached("access-control-allow-credentials");
  static final AsciiString ALLOW_METHODS = AsciiString.cached("access-control-allow-methods");
  static final AsciiString ALLOW_HEADERS = AsciiString.cached("access-control-allow-headers");
  static final AsciiString EXPOSE_HEADERS = AsciiString.cached("access-control-expose-headers");
  static final AsciiString MAX_AGE = AsciiString.cached("access-control-max-age");

  public CorsRules {
    origins = List.copyOf(origins);
  }

  /** Compiles Istio's fields; lists are joined with ", " as the headers carry them. */
  public static CorsRules of(List<StringMatcher> origins, List<String> methods, List<String> headers,
      List<String> expose, Duration maxAge, Boolean allowCredentials) {
    return new CorsRules(origins, join(methods), join(headers), join(expose),
        maxAge == null ? null : Long.toString(maxAge.toSeconds()), Boolean.TRUE.equals(allowCredentials));
  }

  private static String join(List<String> values) {
    return values == null || values.isEmpty() ? null : String.join(", ", values);
  }

  /** Whether {@code origin} (the request's Origin header) may read responses. */
  public boolean allows(String origin) {
    if (origin == null) {
      return false;
    }
    for (StringMatcher m : origins) {
      if (m.matches("*") || m.matches(origin)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the request is a CORS preflight: OPTIONS with an Origin and an Access-Control-Request-Method. */
  public static boolean isPreflight(String method, HttpHeaders headers) {
    if (!"OPTIONS".equals(method) || !headers.contains(ORIGIN)) {
      return false;
    }
    String requested = headers.get(REQUEST_METHOD);
    return requested != null && !requested.isEmpty();
  }

  /** The headers of the sidecar's own answer to an allowed preflight. */
  public Map<String, String> preflightHeaders(String origin) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(ALLOW_ORIGIN.toString(), origin);
    if (allowCredentials) {
      out.put(ALLOW_CREDENTIALS.toString(), "true");
    }
    if (allowMethods != null) {
      out.put(ALLOW_METHODS.toString(), allowMethods);
    }
    if (allowHeaders != null) {
      out.put(ALLOW_HEADERS.toString(), allowHeaders);
    }
    if (maxAge != null) {
      out.put(MAX_AGE.toString(), maxAge);
    }
    return out;
  }

  /**
   * Adds the CORS response headers to an upstream's response to a request from an allowed origin
   * (replacing the app's own, as Envoy does); leaves other responses alone.
   */
  public void decorate(HttpHeaders request, HttpHeaders response) {
    String origin = request.get(ORIGIN);
    if (!allows(origin)) {
      return;
    }
    response.set(ALLOW_ORIGIN, origin);
    if (allowCredentials) {
      response.set(ALLOW_CREDENTIALS, "true");
    }
    if (exposeHeaders != null) {
      response.set(EXPOSE_HEADERS, exposeHeaders);
    }
  }
}
