package io.meshwork.proxy.security.authn;

import com.nimbusds.jose.jwk.JWKSet;
import io.meshwork.model.security.ClaimToHeader;
import io.meshwork.model.security.JWTHeader;
import io.meshwork.model.security.JWTRule;
import java.net.URI;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One validated Istio JWTRule: an issuer, where its tokens are found and where its keys come
 * from (inline {@code jwks}, {@code jwksUri}, or OpenID discovery on the issuer).
 */
record JwtProvider(
    String issuer,
    List<String> audiences,
    JWKSet inlineKeys,
    URI jwksUri,
    List<HeaderLocation> headers,
    List<String> params,
    boolean forwardOriginalToken,
    String outputPayloadToHeader,
    List<ClaimToHeader> claimsToHeaders) {

  /** A header holding a token after {@code prefix} ("Bearer "), matched case-insensitively. */
  record HeaderLocation(String name, String prefix) {}

  /** RFC 6750 §2.1 and §2.3: the locations Envoy and Istio use when a rule names none. */
  static final HeaderLocation AUTHORIZATION_BEARER = new HeaderLocation("authorization", "Bearer ");
  static final String ACCESS_TOKEN_PARAM = "access_token";

  Optional<JWKSet> keys(JwksCache cache) {
    if (inlineKeys != null) {
      return Optional.of(inlineKeys);
    }
    if (jwksUri != null) {
      return cache.keys(jwksUri);
    }
    return cache.discover(issuer).flatMap(cache::keys);
  }

  static JwtProvider compile(String field, JWTRule rule, List<String> errors) {
    int before = errors.size();
    if (rule.issuer() == null || rule.issuer().isBlank()) {
      errors.add(field + ".issuer: " + rule.issuer() + " (expected: the issuer, e.g. https://accounts.example.com)");
    }
    JWKSet inline = null;
    URI uri = null;
    if (rule.jwks() != null && rule.jwksUri() != null) {
      errors.add(field + ".jwks: set together with jwksUri (expected: only one of jwks, jwksUri)");
    } else if (rule.jwks() != null) {
      try {
        inline = JWKSet.parse(rule.jwks());
      } catch (ParseException e) {
        errors.add(field + ".jwks: " + e.getMessage() + " (expected: a JSON Web Key Set, RFC 7517 §5)");
      }
    } else if (rule.jwksUri() != null) {
      try {
        uri = URI.create(rule.jwksUri());
        if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
            || uri.getHost() == null) {
          throw new IllegalArgumentException("not an absolute http(s) URI");
        }
      } catch (IllegalArgumentException e) {
        errors.add(field + ".jwksUri: " + rule.jwksUri() + " (expected: an absolute http or https URI)");
      }
    }
    List<HeaderLocation> headers = new ArrayList<>();
    for (int i = 0; i < rule.fromHeaders().size(); i++) {
      JWTHeader header = rule.fromHeaders().get(i);
      if (header == null || header.name() == null || header.name().isBlank()) {
        errors.add(field + ".fromHeaders[" + i + "].name: empty (expected: a header name)");
      } else {
        headers.add(new HeaderLocation(header.name().toLowerCase(Locale.ROOT),
            header.prefix() == null ? "" : header.prefix()));
      }
    }
    List<String> params = new ArrayList<>();
    for (int i = 0; i < rule.fromParams().size(); i++) {
      String param = rule.fromParams().get(i);
      if (param == null || param.isEmpty()) {
        errors.add(field + ".fromParams[" + i + "]: empty (expected: a query parameter name)");
      } else {
        params.add(param);
      }
    }
    for (int i = 0; i < rule.outputClaimToHeaders().size(); i++) {
      ClaimToHeader mapping = rule.outputClaimToHeaders().get(i);
      if (mapping == null || mapping.header() == null || !mapping.header().matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")
          || mapping.claim() == null || mapping.claim().isEmpty()) {
        errors.add(field + ".outputClaimToHeaders[" + i + "]: " + mapping
            + " (expected: a header name (RFC 9110 token) and a claim name)");
      }
    }
    if (headers.isEmpty() && params.isEmpty()) {
      headers.add(AUTHORIZATION_BEARER);
      params.add(ACCESS_TOKEN_PARAM);
    }
    if (errors.size() > before) {
      return null;
    }
    return new JwtProvider(rule.issuer(), rule.audiences(), inline, uri, List.copyOf(headers), List.copyOf(params),
        Boolean.TRUE.equals(rule.forwardOriginalToken()), rule.outputPayloadToHeader(), rule.outputClaimToHeaders());
  }
}
