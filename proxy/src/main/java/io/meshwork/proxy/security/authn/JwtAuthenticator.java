package io.meshwork.proxy.security.authn;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.meshwork.model.Resource;
import io.meshwork.model.security.ClaimToHeader;
import io.meshwork.model.security.JWTRule;
import io.meshwork.model.security.RequestAuthentication;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Validates JWTs per a workload's RequestAuthentication {@code jwtRules} (Istio semantics): a
 * request without a token passes on with no request principal; a request whose token is
 * malformed, from an unconfigured issuer, badly signed, expired, not yet valid or for another
 * audience is rejected (401). Tokens come from {@code Authorization: Bearer} and the
 * {@code access_token} parameter unless a rule names {@code fromHeaders}/{@code fromParams}.
 *
 * <p>Signatures are checked only with keys of the issuer's JWKS whose type fits the token's
 * {@code alg} (RFC 7515 §4.1.1), so an HMAC token cannot be verified with a public RSA key, and
 * {@code alg: none} never parses as a signed token.
 *
 * <p>Thread-safe. Remote key sets are fetched through the {@link JwksCache}; wire it with a
 * fetcher that does not block event loops, or warm it with {@link JwksCache#refresh}.
 */
public final class JwtAuthenticator {
  /** Envoy's default {@code clock_skew_seconds}. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
  /** Bounds the parsing work of one token; real tokens are a few KiB. */
  static final int MAX_TOKEN_LENGTH = 16 * 1024;

  private final List<JwtProvider> providers;
  private final JwksCache cache;
  private final Clock clock;
  private final Duration clockSkew;
  private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();

  private JwtAuthenticator(List<JwtProvider> providers, JwksCache cache, Clock clock, Duration clockSkew) {
    this.providers = List.copyOf(providers);
    this.cache = cache;
    this.clock = clock;
    this.clockSkew = clockSkew;
  }

  /**
   * @param rules every jwtRule of the RequestAuthentications that apply to the workload
   * @throws IllegalArgumentException listing each invalid field, one per line
   */
  public static JwtAuthenticator compile(List<JWTRule> rules, JwksCache cache, Clock clock, Duration clockSkew) {
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(clock, "clock");
    if (clockSkew == null || clockSkew.isNegative()) {
      throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: >= 0)");
    }
    List<String> errors = new ArrayList<>();
    List<JwtProvider> providers = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      JwtProvider provider = JwtProvider.compile("jwtRules[" + i + "]", rules.get(i), errors);
      if (provider != null) {
        providers.add(provider);
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", errors));
    }
    return new JwtAuthenticator(providers, cache, clock, clockSkew);
  }

  /**
   * The authenticator of the workload in {@code namespace} with {@code labels}: the jwtRules of
   * every RequestAuthentication of its namespace, or of {@code rootNamespace}, whose selector is
   * absent or matches (Istio applies all of them together).
   *
   * @throws IllegalArgumentException naming the resource and field of each invalid rule
   */
  public static JwtAuthenticator forWorkload(Collection<Resource<RequestAuthentication>> resources, String namespace,
      Map<String, String> labels, String rootNamespace, JwksCache cache, Clock clock) {
    Map<String, String> workloadLabels = labels == null ? Map.of() : labels;
    List<JWTRule> rules = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    resources.stream()
        .filter(r -> r.namespace().equals(namespace) || r.namespace().equals(rootNamespace))
        .filter(r -> r.spec().selector() == null || r.spec().selector().matches(workloadLabels))
        .sorted(Comparator.comparing((Resource<RequestAuthentication> r) -> r.namespace()).thenComparing(Resource::name))
        .forEach(r -> {
          try {
            compile(r.spec().jwtRules(), cache, clock, DEFAULT_CLOCK_SKEW);
            rules.addAll(r.spec().jwtRules());
          } catch (IllegalArgumentException e) {
            e.getMessage().lines().forEach(line -> errors.add("RequestAuthentication " + r.namespace() + "/" + r.name()
                + ": " + line));
          }
        });
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", errors));
    }
    return compile(rules, cache, clock, DEFAULT_CLOCK_SKEW);
  }

  public boolean hasRules() {
    return !providers.isEmpty();
  }

  /**
   * @param headers request headers by lower-case name (repeated ones joined with ",")
   * @param rawQuery the query string without {@code ?}, or null
   */
  public JwtResult authenticate(Map<String, String> headers, String rawQuery) {
    Map<String, List<String>> params = rawQuery == null || rawQuery.isEmpty() ? Map.of()
        : new QueryStringDecoder(rawQuery, false).parameters();
    // Each distinct token, with the providers whose locations it was found in.
    Map<String, List<JwtProvider>> tokens = new LinkedHashMap<>();
    Map<String, Location> locations = new LinkedHashMap<>();
    for (JwtProvider provider : providers) {
      for (JwtProvider.HeaderLocation location : provider.headers()) {
        String value = headers.get(location.name());
        if (value != null && value.regionMatches(true, 0, location.prefix(), 0, location.prefix().length())) {
          String token = value.substring(location.prefix().length()).strip();
          if (!token.isEmpty()) {
            tokens.computeIfAbsent(token, t -> new ArrayList<>()).add(provider);
            locations.putIfAbsent(token, new Location(location.name(), null));
          }
        }
      }
      for (String param : provider.params()) {
        for (String token : params.getOrDefault(param, List.of())) {
          if (!token.isEmpty()) {
            tokens.computeIfAbsent(token, t -> new ArrayList<>()).add(provider);
            locations.putIfAbsent(token, new Location(null, param));
          }
        }
      }
    }
    if (tokens.isEmpty()) {
      return new JwtResult.NoToken();
    }
    JwtResult.Authenticated first = null;
    for (Map.Entry<String, List<JwtProvider>> entry : tokens.entrySet()) {
      JwtResult result = validate(entry.getKey(), entry.getValue(), locations.get(entry.getKey()));
      if (result instanceof JwtResult.Rejected) {
        return result;
      }
      if (first == null) {
        first = (JwtResult.Authenticated) result;
      }
    }
    return first;
  }

  private record Location(String header, String param) {}

  private JwtResult validate(String token, List<JwtProvider> candidates, Location location) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      return new JwtResult.Rejected("Jwt is too large (" + token.length() + " > " + MAX_TOKEN_LENGTH + " characters)");
    }
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      return new JwtResult.Rejected("Jwt is not in the form of Header.Payload.Signature with a JSON payload");
    }
    String issuer = claims.getIssuer();
    Optional<JwtProvider> match = candidates.stream().filter(p -> p.issuer().equals(issuer)).findFirst();
    if (match.isEmpty()) {
      return new JwtResult.Rejected("Jwt issuer " + issuer + " is not configured for this token location");
    }
    JwtProvider provider = match.get();
    Optional<JWKSet> keys = provider.keys(cache);
    if (keys.isEmpty()) {
      return new JwtResult.Rejected("Jwks of issuer " + issuer + " is unavailable");
    }
    if (!verified(jwt, keys.get())) {
      return new JwtResult.Rejected("Jwt verification fails (alg " + jwt.getHeader().getAlgorithm()
          + (jwt.getHeader().getKeyID() == null ? "" : ", kid " + jwt.getHeader().getKeyID()) + ")");
    }
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp != null && !now.isBefore(exp.toInstant().plus(clockSkew))) {
      return new JwtResult.Rejected("Jwt is expired (exp " + exp.toInstant() + ")");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plus(clockSkew).isBefore(nbf.toInstant())) {
      return new JwtResult.Rejected("Jwt not yet valid (nbf " + nbf.toInstant() + ")");
    }
    if (!provider.audiences().isEmpty()
        && claims.getAudience().stream().noneMatch(provider.audiences()::contains)) {
      return new JwtResult.Rejected("Audiences in Jwt are not allowed (aud " + claims.getAudience() + ")");
    }
    return authenticated(jwt, claims, provider, location);
  }

  private boolean verified(SignedJWT jwt, JWKSet keys) {
    List<JWK> candidates = new JWKSelector(JWKMatcher.forJWSHeader(jwt.getHeader())).select(keys);
    for (JWK jwk : candidates) {
      try {
        Key key = switch (jwk) {
          case RSAKey rsa -> rsa.toRSAPublicKey();
          case ECKey ec -> ec.toECPublicKey();
          case OctetSequenceKey oct -> oct.toSecretKey();
          default -> null;
        };
        if (key != null) {
          JWSVerifier verifier = verifiers.createJWSVerifier(jwt.getHeader(), key);
          if (jwt.verify(verifier)) {
            return true;
          }
        }
      } catch (JOSEException | RuntimeException e) {
        // A key that cannot verify this token; try the next one.
      }
    }
    return false;
  }

  private static JwtResult.Authenticated authenticated(SignedJWT jwt, JWTClaimsSet claims, JwtProvider provider,
      Location location) {
    Map<String, Object> json = claims.toJSONObject();
    Map<String, String> headersToAdd = new LinkedHashMap<>();
    if (provider.outputPayloadToHeader() != null && !provider.outputPayloadToHeader().isEmpty()) {
      headersToAdd.put(provider.outputPayloadToHeader(), jwt.getParsedParts()[1].toString());
    }
    for (ClaimToHeader mapping : provider.claimsToHeaders()) {
      Object value = json.get(mapping.claim());
      if (value instanceof String || value instanceof Number || value instanceof Boolean) {
        headersToAdd.put(mapping.header(), String.valueOf(value));
      }
    }
    List<String> headersToRemove = new ArrayList<>();
    List<String> paramsToRemove = new ArrayList<>();
    if (!provider.forwardOriginalToken()) {
      if (location.header() != null) {
        headersToRemove.add(location.header());
      } else {
        paramsToRemove.add(location.param());
      }
    }
    String subject = claims.getSubject();
    return new JwtResult.Authenticated(claims.getIssuer() + "/" + (subject == null ? "" : subject), claims.getIssuer(),
        subject, json, headersToAdd, headersToRemove, paramsToRemove);
  }
}
