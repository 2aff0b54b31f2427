package io.meshwork.proxy.security.authn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.meshwork.model.ObjectMeta;
import io.meshwork.model.Resource;
import io.meshwork.model.networking.WorkloadSelector;
import io.meshwork.model.security.ClaimToHeader;
import io.meshwork.model.security.JWTHeader;
import io.meshwork.model.security.JWTRule;
import io.meshwork.model.security.RequestAuthentication;
import io.meshwork.proxy.fixtures.ManualClock;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JwtAuthenticatorTest {
  static final String ISSUER = "https://auth.example.com";
  static final Instant NOW = Instant.parse("2026-07-01T12:00:00Z");
  static RSAKey rsa;
  static ECKey ec;
  static RSAKey stranger;

  final ManualClock clock = new ManualClock(NOW);
  final AtomicInteger fetches = new AtomicInteger();

  @BeforeAll
  static void keys() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
  }

  @Test
  void aRequestWithoutTokenPassesOnWithoutPrincipal() {
    assertThat(inline().authenticate(Map.of("x-other", "1"), "a=b")).isEqualTo(new JwtResult.NoToken());
    assertThat(inline().authenticate(Map.of("authorization", "Basic dXNlcjpwdw=="), null))
        .isEqualTo(new JwtResult.NoToken());
  }

  @Test
  void aValidBearerTokenYieldsTheRequestPrincipalAndClaims() throws Exception {
    String token = token(rsa, JWSAlgorithm.RS256, claims().audience("products").claim("groups", List.of("admins"))
        .claim("realm", Map.of("tier", "gold")).build());

    JwtResult result = inline().authenticate(Map.of("authorization", "Bearer " + token), null);

    assertThat(result).isInstanceOfSatisfying(JwtResult.Authenticated.class, ok -> {
      assertThat(ok.principal()).isEqualTo("https://auth.example.com/alice");
      assertThat(ok.subject()).isEqualTo("alice");
      assertThat(ok.claims()).containsEntry("groups", List.of("admins")).containsEntry("realm", Map.of("tier", "gold"))
          .containsEntry("aud", "products");
      assertThat(ok.headersToRemove()).containsExactly("authorization");
    });
  }

  @Test
  void ecKeysAndTheAccessTokenParameterWorkToo() throws Exception {
    String token = token(ec, JWSAlgorithm.ES256, claims().build());

    assertThat(inline().authenticate(Map.of(), "x=1&access_token=" + token))
        .isInstanceOfSatisfying(JwtResult.Authenticated.class,
            ok -> assertThat(ok.paramsToRemove()).containsExactly("access_token"));
  }

  @Test
  void expiryAndNotBeforeAreCheckedWithClockSkew() throws Exception {
    JwtAuthenticator authenticator = inline();
    String expiredWithinSkew = token(rsa, JWSAlgorithm.RS256, claims().expirationTime(Date.from(NOW.minusSeconds(30))).build());
    String expired = token(rsa, JWSAlgorithm.RS256, claims().expirationTime(Date.from(NOW.minusSeconds(61))).build());
    String future = token(rsa, JWSAlgorithm.RS256, claims().notBeforeTime(Date.from(NOW.plusSeconds(120))).build());

    assertThat(bearer(authenticator, expiredWithinSkew)).isInstanceOf(JwtResult.Authenticated.class);
    assertThat(bearer(authenticator, expired)).isEqualTo(new JwtResult.Rejected("Jwt is expired (exp 2026-07-01T11:58:59Z)"));
    assertThat(bearer(authenticator, future)).isEqualTo(new JwtResult.Rejected("Jwt not yet valid (nbf 2026-07-01T12:02:00Z)"));
  }

  @Test
  void audiencesMustIntersectWhenTheRuleNamesThem() throws Exception {
    JwtAuthenticator authenticator = JwtAuthenticator.compile(List.of(rule(ISSUER, List.of("products", "orders"),
        publicJwks(), null)), cache(), clock, JwtAuthenticator.DEFAULT_CLOCK_SKEW);

    assertThat(bearer(authenticator, token(rsa, JWSAlgorithm.RS256, claims().audience(List.of("x", "orders")).build())))
        .isInstanceOf(JwtResult.Authenticated.class);
    assertThat(bearer(authenticator, token(rsa, JWSAlgorithm.RS256, claims().audience("billing").build())))
        .isEqualTo(new JwtResult.Rejected("Audiences in Jwt are not allowed (aud [billing])"));
    assertThat(bearer(authenticator, token(rsa, JWSAlgorithm.RS256, claims().build())))
        .isInstanceOf(JwtResult.Rejected.class);
  }

  @Test
  void badTokensAreRejectedWithAReason() throws Exception {
    JwtAuthenticator authenticator = inline();

    assertThat(bearer(authenticator, "not.a.jwt")).isEqualTo(
        new JwtResult.Rejected("Jwt is not in the form of Header.Payload.Signature with a JSON payload"));
    assertThat(bearer(authenticator, token(stranger, JWSAlgorithm.RS256, claims().build())))
        .isEqualTo(new JwtResult.Rejected("Jwt verification fails (alg RS256, kid rsa-1)"));
    assertThat(bearer(authenticator, token(rsa, JWSAlgorithm.RS256, claims().issuer("https://evil.example").build())))
        .isEqualTo(new JwtResult.Rejected("Jwt issuer https://evil.example is not configured for this token location"));
  }

  @Test
  void anHmacTokenKeyedWithThePublicRsaKeyIsNotAccepted() throws Exception {
    byte[] publicKeyBytes = rsa.toRSAPublicKey().getEncoded();
    SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims().build());
    forged.sign(new MACSigner(publicKeyBytes));

    assertThat(bearer(inline(), forged.serialize())).isInstanceOf(JwtResult.Rejected.class);
  }

  @Test
  void customHeadersAndParamsReplaceTheDefaults() throws Exception {
    JWTRule rule = new JWTRule(ISSUER, null, null, publicJwks(), List.of(new JWTHeader("X-Jwt-Assertion", "Token ")),
        List.of("jwt"), null, true, List.of(new ClaimToHeader("x-user", "sub")));
    JwtAuthenticator authenticator = JwtAuthenticator.compile(List.of(rule), cache(), clock, Duration.ZERO);
    String token = token(rsa, JWSAlgorithm.RS256, claims().build());

    assertThat(authenticator.authenticate(Map.of("x-jwt-assertion", "Token " + token), null))
        .isInstanceOfSatisfying(JwtResult.Authenticated.class, ok -> {
          assertThat(ok.headersToAdd()).containsExactly(Map.entry("x-user", "alice"));
          assertThat(ok.headersToRemove()).isEmpty();
        });
    assertThat(authenticator.authenticate(Map.of(), "jwt=" + token)).isInstanceOf(JwtResult.Authenticated.class);
    assertThat(authenticator.authenticate(Map.of("authorization", "Bearer " + token), null))
        .isEqualTo(new JwtResult.NoToken());
  }

  @Test
  void remoteKeysAreFetchedOnceAndRefreshedAfterTheTtl() throws Exception {
    JwtAuthenticator authenticator = JwtAuthenticator.compile(
        List.of(rule(ISSUER, null, null, "https://auth.example.com/jwks.json")), cache(), clock,
        JwtAuthenticator.DEFAULT_CLOCK_SKEW);
    String token = token(rsa, JWSAlgorithm.RS256, claims().expirationTime(Date.from(NOW.plus(Duration.ofHours(2)))).build());

    assertThat(bearer(authenticator, token)).isInstanceOf(JwtResult.Authenticated.class);
    assertThat(bearer(authenticator, token)).isInstanceOf(JwtResult.Authenticated.class);
    assertThat(fetches).hasValue(1);
    clock.advance(JwksCache.DEFAULT_TTL);
    assertThat(bearer(authenticator, token)).isInstanceOf(JwtResult.Authenticated.class);
    assertThat(fetches).hasValue(2);
  }

  @Test
  void aFailedRefreshKeepsTheStaleKeysAndNoKeysAtAllRejects() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    JwksCache flaky = new JwksCache(uri -> {
      if (calls.incrementAndGet() > 1) {
        throw new IOException("connection refused");
      }
      return publicJwks();
    }, clock, JwksCache.DEFAULT_TTL);
    JwtAuthenticator authenticator = JwtAuthenticator.compile(
        List.of(rule(ISSUER, null, null, "https://auth.example.com/jwks.json")), flaky, clock, Duration.ZERO);
    String token = token(rsa, JWSAlgorithm.RS256, claims().build());

    assertThat(bearer(authenticator, token)).isInstanceOf(JwtResult.Authenticated.class);
    clock.advance(Duration.ofHours(1));
    assertThat(bearer(authenticator, token)).isInstanceOf(JwtResult.Authenticated.class);

    JwksCache down = new JwksCache(uri -> {
      throw new IOException("down");
    }, clock, JwksCache.DEFAULT_TTL);
    assertThat(bearer(JwtAuthenticator.compile(List.of(rule(ISSUER, null, null, "https://auth.example.com/jwks.json")),
        down, clock, Duration.ZERO), token)).isEqualTo(new JwtResult.Rejected("Jwks of issuer https://auth.example.com is unavailable"));
  }

  @Test
  void withoutJwksTheIssuersDiscoveryDocumentIsUsed() throws Exception {
    JwksCache discovering = new JwksCache(uri -> switch (uri.toString()) {
      case "https://auth.example.com/.well-known/openid-configuration" ->
          "{\"issuer\":\"https://auth.example.com\",\"jwks_uri\":\"https://auth.example.com/keys\"}";
      case "https://auth.example.com/keys" -> publicJwks();
      default -> throw new IOException("404 " + uri);
    }, clock, JwksCache.DEFAULT_TTL);
    JwtAuthenticator authenticator = JwtAuthenticator.compile(List.of(rule(ISSUER, null, null, null)), discovering,
        clock, Duration.ZERO);

    assertThat(bearer(authenticator, token(ec, JWSAlgorithm.ES256, claims().build())))
        .isInstanceOf(JwtResult.Authenticated.class);
  }

  @Test
  void invalidRulesFailToCompile() {
    assertThatThrownBy(() -> JwtAuthenticator.compile(List.of(
            rule("", null, "{\"keys\":[]}", null),
            rule(ISSUER, null, "not json", null),
            rule(ISSUER, null, "{\"keys\":[]}", "https://x/jwks"),
            rule(ISSUER, null, null, "ftp://x/jwks")),
        cache(), clock, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jwtRules[0].issuer:  (expected: the issuer, e.g. https://accounts.example.com)")
        .hasMessageContaining("jwtRules[1].jwks: ")
        .hasMessageContaining("jwtRules[2].jwks: set together with jwksUri (expected: only one of jwks, jwksUri)")
        .hasMessageContaining("jwtRules[3].jwksUri: ftp://x/jwks (expected: an absolute http or https URI)");
  }

  @Test
  void forWorkloadCombinesTheRulesThatSelectIt() throws Exception {
    JWTRule other = rule("https://other.example", null, publicJwks(), null);
    List<Resource<RequestAuthentication>> resources = List.of(
        Resource.of(ObjectMeta.of("products-jwt", "shop"), new RequestAuthentication(
            new WorkloadSelector(Map.of("app", "products")), List.of(rule(ISSUER, null, publicJwks(), null)))),
        Resource.of(ObjectMeta.of("mesh-jwt", "istio-system"), new RequestAuthentication(null, List.of(other))),
        Resource.of(ObjectMeta.of("orders-jwt", "shop"), new RequestAuthentication(
            new WorkloadSelector(Map.of("app", "orders")), List.of(rule("https://orders.example", null, publicJwks(), null)))));
    String token = token(rsa, JWSAlgorithm.RS256, claims().build());
    String otherToken = token(rsa, JWSAlgorithm.RS256, claims().issuer("https://other.example").build());
    String ordersToken = token(rsa, JWSAlgorithm.RS256, claims().issuer("https://orders.example").build());

    JwtAuthenticator products = JwtAuthenticator.forWorkload(resources, "shop", Map.of("app", "products"),
        "istio-system", cache(), clock);

    assertThat(bearer(products, token)).isInstanceOf(JwtResult.Authenticated.class);
    assertThat(bearer(products, otherToken)).isInstanceOf(JwtResult.Authenticated.class);
    assertThat(bearer(products, ordersToken)).isInstanceOf(JwtResult.Rejected.class);
    assertThatThrownBy(() -> JwtAuthenticator.forWorkload(List.of(Resource.of(ObjectMeta.of("bad", "shop"),
            new RequestAuthentication(null, List.of(rule("", null, publicJwks(), null))))), "shop", Map.of(), null,
        cache(), clock))
        .hasMessageStartingWith("RequestAuthentication shop/bad: jwtRules[0].issuer: ");
  }

  private JwtAuthenticator inline() {
    return JwtAuthenticator.compile(List.of(rule(ISSUER, null, publicJwks(), null)), cache(), clock,
        JwtAuthenticator.DEFAULT_CLOCK_SKEW);
  }

  private JwksCache cache() {
    return new JwksCache(this::serve, clock, JwksCache.DEFAULT_TTL);
  }

  private String serve(URI uri) throws IOException {
    if (!uri.toString().equals("https://auth.example.com/jwks.json")) {
      throw new IOException("404 " + uri);
    }
    fetches.incrementAndGet();
    return publicJwks();
  }

  private static String publicJwks() {
    return new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString();
  }

  private static JWTRule rule(String issuer, List<String> audiences, String jwks, String jwksUri) {
    return new JWTRule(issuer, audiences, jwksUri, jwks, null, null, null, null, null);
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder().issuer(ISSUER).subject("alice").issueTime(Date.from(NOW));
  }

  private static String token(com.nimbusds.jose.jwk.JWK key, JWSAlgorithm algorithm, JWTClaimsSet claims)
      throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims);
    JWSSigner signer = key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static JwtResult bearer(JwtAuthenticator authenticator, String token) {
    return authenticator.authenticate(Map.of("authorization", "Bearer " + token), null);
  }
}
