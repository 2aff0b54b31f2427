package io.meshwork.proxy.policy;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.forward.RequestUris;
import io.meshwork.proxy.http.ProxyError;
import io.meshwork.proxy.security.authn.JwtResult;
import io.meshwork.proxy.security.authz.AuthzDecision;
import io.meshwork.proxy.security.authz.NormalizedPath;
import io.meshwork.proxy.security.authz.RequestAttributes;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound port's {@link RequestFilter}: applies the current snapshot's {@link InboundPolicy}
 * to each request, in Istio's filter order. The head leaves with the normalized path, so what the
 * policy saw is what the app gets. With no policy, only the path is looked at, without allocating
 * unless it needs normalizing.
 */
public final class InboundPolicyFilter implements RequestFilter {
  private static final Logger log = LoggerFactory.getLogger(InboundPolicyFilter.class);
  /** Envoy's RBAC filter body for a denied request. */
  public static final String ACCESS_DENIED = "RBAC: access denied";

  private final Supplier<InboundPolicy> policies;

  /** @param policies the current snapshot's policy, read once per request */
  public InboundPolicyFilter(Supplier<InboundPolicy> policies) {
    this.policies = Objects.requireNonNull(policies, "policies");
  }

  @Override
  public Verdict check(HttpRequest request, Channel channel) {
    InboundPolicy policy = policies.get();
    if (policy == null) {
      policy = InboundPolicy.ALLOW_ALL;
    }
    String uri = request.uri();
    String target = RequestUris.isAbsolute(uri) ? uri.substring(RequestUris.pathStart(uri)) : uri;
    if (!policy.checksRequests() && isNormal(target)) {
      return Verdict.PASS;
    }
    NormalizedPath.Accepted path;
    switch (policy.paths().normalize(target.isEmpty() ? "/" : target)) {
      case NormalizedPath.Rejected r -> {
        return new Reject(ProxyError.BAD_REQUEST, r.reason());
      }
      case NormalizedPath.Accepted a -> path = a;
    }
    if (!path.requestTarget().equals(uri)) {
      request.setUri(path.requestTarget());
    }
    if (!policy.checksRequests()) {
      return Verdict.PASS;
    }
    if (policy.brokenReason() != null) {
      return new Reject(ProxyError.FORBIDDEN, ACCESS_DENIED);
    }
    return enforce(policy, request, channel, path);
  }

  private Verdict enforce(InboundPolicy policy, HttpRequest request, Channel channel, NormalizedPath.Accepted path) {
    HttpHeaders headers = request.headers();
    policy.jwtOutputHeaders().forEach(headers::remove);
    String host = headers.get(HttpHeaderNames.HOST);
    String requestPrincipal = null;
    Map<String, Object> claims = Map.of();
    if (policy.jwt() != null) {
      switch (policy.jwt().authenticate(lowerCaseHeaders(headers), path.query())) {
        case JwtResult.NoToken n -> { }
        case JwtResult.Rejected r -> {
          // RFC 6750 §3: the challenge names the realm (Envoy uses the request URL) and the error.
          return new Reject(ProxyError.UNAUTHENTICATED, r.reason(), Map.of("www-authenticate",
              "Bearer realm=" + quoted("http://" + (host == null ? "" : host) + path.path())
                  + ", error=\"invalid_token\""));
        }
        case JwtResult.Authenticated a -> {
          requestPrincipal = a.principal();
          claims = a.claims();
          JwtHeaders.apply(request, a);
        }
      }
    }
    if (policy.apiKeys().required()) {
      switch (policy.apiKeys().check(headers)) {
        case ApiKeyRequirement.Accepted a -> {
          headers.remove(ApiKeyRequirement.CLIENT_SECRET_HEADER);
          String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
          if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            headers.remove(HttpHeaderNames.AUTHORIZATION);
          }
        }
        case ApiKeyRequirement.Missing m -> {
          return new Reject(ProxyError.UNAUTHENTICATED, "api key required", Map.of("www-authenticate",
              "Basic realm=" + quoted(host == null ? "meshwork" : host)));
        }
        case ApiKeyRequirement.Invalid i -> {
          return new Reject(ProxyError.UNAUTHENTICATED, i.reason());
        }
        case ApiKeyRequirement.NotAllowed n -> {
          return new Reject(ProxyError.FORBIDDEN, "api key " + n.clientId() + " may not call this service");
        }
      }
    }
    if (!policy.authorizes()) {
      return Verdict.PASS;
    }
    AuthzDecision decision = policy.authz().evaluate(attributes(request, channel, path, host, requestPrincipal, claims));
    if (!decision.audits().isEmpty()) {
      log.info("authz audit {} {} {}: {}", request.method(), path.path(), host, decision.describe());
    }
    if (!decision.allowed()) {
      log.debug("authz {} {}: {}", request.method(), path.path(), decision.describe());
      return new Reject(ProxyError.FORBIDDEN, ACCESS_DENIED);
    }
    return Verdict.PASS;
  }

  private static RequestAttributes attributes(HttpRequest request, Channel channel, NormalizedPath.Accepted path,
      String host, String requestPrincipal, Map<String, Object> claims) {
    Channel connection = SourceIdentity.connection(channel);
    RequestAttributes.Builder b = RequestAttributes.builder()
        .sourceIp(address(connection.remoteAddress()))
        .destinationIp(address(connection.localAddress()))
        .destinationPort(connection.localAddress() instanceof InetSocketAddress local ? local.getPort() : 0)
        .requestPrincipal(requestPrincipal)
        .claims(claims)
        .host(host)
        .method(request.method().name())
        .path(path.path());
    Optional<SpiffeId> peer = SourceIdentity.of(channel);
    peer.ifPresent(id -> b.sourcePrincipal(id.principal()).sourceNamespace(id.namespace().orElse(null)));
    for (Map.Entry<String, String> header : request.headers()) {
      b.header(header.getKey(), header.getValue());
    }
    return b.build();
  }

  /** An RFC 9110 §5.6.4 quoted-string: the request's own host and path may hold quotes or backslashes. */
  static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static InetAddress address(SocketAddress address) {
    return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }

  private static Map<String, String> lowerCaseHeaders(HttpHeaders headers) {
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, String> header : headers) {
      out.merge(header.getKey().toLowerCase(Locale.ROOT), header.getValue(), (a, b) -> a + "," + b);
    }
    return out;
  }

  /**
   * Whether normalization would leave {@code target} as it is: every character is a plain path
   * character and no segment is empty or a dot segment. Anything else takes the full normalizer.
   */
  static boolean isNormal(String target) {
    int n = target.length();
    if (n == 0 || target.charAt(0) != '/') {
      return false;
    }
    char previous = 0;
    for (int i = 0; i < n; i++) {
      char c = target.charAt(i);
      if (c == '?') {
        return isPlainQuery(target, i + 1);
      }
      if (c <= 0x20 || c >= 0x7f || c == '%' || c == '\\' || c == '#') {
        return false;
      }
      if (c == '/' && previous == '/') {
        return false;
      }
      if (c == '.' && previous == '/') {
        return false;
      }
      previous = c;
    }
    return true;
  }

  private static boolean isPlainQuery(String target, int from) {
    for (int i = from; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        return false;
      }
    }
    return true;
  }
}
