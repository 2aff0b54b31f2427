package io.meshwork.proxy.security.authz;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a policy may look at in one request: the peer's mTLS identity, addresses, the JWT result,
 * and the HTTP request head. Absent facts are null (no peer certificate, no token), which fails
 * every positive match and passes every {@code not} match, as in Istio.
 *
 * @param sourcePrincipal the peer's SPIFFE ID without scheme ("cluster.local/ns/shop/sa/orders")
 * @param sourceNamespace the peer's namespace, from its SPIFFE ID
 * @param sourceIp the address of the directly connected peer
 * @param remoteIp the original client, from X-Forwarded-For or PROXY protocol; sourceIp otherwise
 * @param destinationIp the local address the connection arrived on
 * @param destinationPort the port the connection arrived on
 * @param sni the TLS server name the peer asked for
 * @param requestPrincipal "iss/sub" of a validated JWT
 * @param claims the validated JWT's claims (values: String, Number, Boolean, List, Map), never null
 * @param host the :authority / Host header
 * @param method the request method
 * @param path the normalized path without query ({@link PathNormalizer})
 * @param headers header values by lower-case name; repeated headers joined with "," (RFC 9110 §5.3)
 */
public record RequestAttributes(
    String sourcePrincipal,
    String sourceNamespace,
    InetAddress sourceIp,
    InetAddress remoteIp,
    InetAddress destinationIp,
    int destinationPort,
    String sni,
    String requestPrincipal,
    Map<String, Object> claims,
    String host,
    String method,
    String path,
    Map<String, String> headers) {

  public RequestAttributes {
    claims = claims == null ? Map.of() : Map.copyOf(claims);
    Map<String, String> lower = new HashMap<>();
    if (headers != null) {
      headers.forEach((name, value) -> lower.merge(name.toLowerCase(Locale.ROOT), value, (a, b) -> a + "," + b));
    }
    headers = Map.copyOf(lower);
    remoteIp = remoteIp == null ? sourceIp : remoteIp;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** JWT {@code aud}: a string or a list of strings (RFC 7519 §4.1.3). */
  public List<String> audiences() {
    return switch (claims.get("aud")) {
      case String single -> List.of(single);
      case List<?> many -> many.stream().map(String::valueOf).toList();
      case null, default -> List.of();
    };
  }

  /** JWT {@code azp}, the authorized presenter (OpenID Connect Core §2). */
  public String presenter() {
    return claims.get("azp") instanceof String azp ? azp : null;
  }

  /** Fills a {@link RequestAttributes} field by field; unset fields are absent. */
  public static final class Builder {
    private String sourcePrincipal;
    private String sourceNamespace;
    private InetAddress sourceIp;
    private InetAddress remoteIp;
    private InetAddress destinationIp;
    private int destinationPort;
    private String sni;
    private String requestPrincipal;
    private Map<String, Object> claims = Map.of();
    private String host;
    private String method;
    private String path;
    private final Map<String, String> headers = new HashMap<>();

    private Builder() {}

    public Builder sourcePrincipal(String value) {
      sourcePrincipal = value;
      return this;
    }

    public Builder sourceNamespace(String value) {
      sourceNamespace = value;
      return this;
    }

    public Builder sourceIp(InetAddress value) {
      sourceIp = value;
      return this;
    }

    public Builder remoteIp(InetAddress value) {
      remoteIp = value;
      return this;
    }

    public Builder destinationIp(InetAddress value) {
      destinationIp = value;
      return this;
    }

    public Builder destinationPort(int value) {
      destinationPort = value;
      return this;
    }

    public Builder sni(String value) {
      sni = value;
      return this;
    }

    public Builder requestPrincipal(String value) {
      requestPrincipal = value;
      return this;
    }

    public Builder claims(Map<String, Object> value) {
      claims = value;
      return this;
    }

    public Builder host(String value) {
      host = value;
      return this;
    }

    public Builder method(String value) {
      method = value;
      return this;
    }

    public Builder path(String value) {
      path = value;
      return this;
    }

    public Builder header(String name, String value) {
      headers.merge(name.toLowerCase(Locale.ROOT), value, (a, b) -> a + "," + b);
      return this;
    }

    public RequestAttributes build() {
      return new RequestAttributes(sourcePrincipal, sourceNamespace, sourceIp, remoteIp, destinationIp,
          destinationPort, sni, requestPrincipal, claims, host, method, path, headers);
    }
  }
}
