package io.meshwork.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.security.authn.JwksCache;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/** Policies parsed with the real parser and compiled with the real compiler; signed test tokens. */
final class PolicyFixtures {
  static final String ISSUER = "https://auth.example.com";
  static final Instant NOW = Instant.parse("2026-07-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final RSAKey KEY = generate("k1");
  static final RSAKey STRANGER = generate("k1");

  private PolicyFixtures() {}

  static List<Resource<?>> yaml(String text) {
    ParseResult result = ResourceParser.parse("test.yaml", text);
    assertThat(result.errors()).as(result.report()).isEmpty();
    return result.resources();
  }

  /** The seed 004 document, unchanged. */
  static List<Resource<?>> seed() {
    try (InputStream in = PolicyFixtures.class.getResourceAsStream("/io/meshwork/proxy/config/seed-004.yaml")) {
      return yaml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InboundPolicy compile(List<Resource<?>> resources, LocalService local, List<String> notices) {
    JwksCache noRemoteKeys = new JwksCache(uri -> {
      throw new IOException("no network in this test");
    }, CLOCK, Duration.ofMinutes(5));
    return InboundPolicyCompiler.compile(resources, local, notices::add, noRemoteKeys, null, CLOCK);
  }

  static InboundPolicy compile(String yaml, LocalService local) {
    List<String> notices = new ArrayList<>();
    return compile(yaml(yaml), local, notices);
  }

  /** A RequestAuthentication for {@code app} with the test key inline, plus {@code extra} JWTRule fields. */
  static String requestAuthentication(String namespace, String app, String extra) {
    String jwks = new JWKSet(KEY.toPublicJWK()).toString().replace("'", "''");
    return """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: %s}
        spec:
          selector: {matchLabels: {app: %s}}
          jwtRules:
          - issuer: %s
            jwks: '%s'
        %s
        ---
        """.formatted(namespace, app, ISSUER, jwks, extra.indent(4).stripTrailing());
  }

  static String token(RSAKey key, String subject, Instant expires) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
          new JWTClaimsSet.Builder().issuer(ISSUER).subject(subject).audience("products")
              .expirationTime(Date.from(expires)).build());
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String token(String subject) {
    return token(KEY, subject, NOW.plusSeconds(3600));
  }

  private static RSAKey generate(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
