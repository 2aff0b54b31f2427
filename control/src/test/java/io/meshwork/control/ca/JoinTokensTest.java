package io.meshwork.control.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.model.identity.SpiffeId;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class JoinTokensTest {
  static final SpiffeId ORDERS = SpiffeId.forWorkload("cluster.local", "shop", "orders");
  static final SpiffeId PAYMENTS = SpiffeId.forWorkload("cluster.local", "shop", "payments");

  final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T12:00:00Z"));
  final InMemoryCaStorage storage = new InMemoryCaStorage();

  @Test
  void aTokenGrantsItsIdentityUntilItExpires() {
    JoinTokens tokens = new JoinTokens(storage, clock);
    String token = tokens.create(ORDERS, Duration.ofHours(1));

    assertThat(tokens.verify(token)).isInstanceOfSatisfying(JoinTokens.Valid.class, valid -> {
      assertThat(valid.identity()).isEqualTo(ORDERS);
      assertThat(valid.expiresAt()).isEqualTo(Instant.parse("2026-05-01T13:00:00Z"));
      assertThat(valid.tokenId()).hasSize(24);
    });
    clock.advance(Duration.ofHours(1));
    assertThat(tokens.verify(token)).isEqualTo(new JoinTokens.Invalid(JoinTokens.Failure.EXPIRED,
        "token: expired at 2026-05-01T13:00:00Z (expected: after 2026-05-01T13:00:00Z)"));
  }

  @Test
  void theKeyIsPersistedSoTokensSurviveARestart() {
    String token = new JoinTokens(storage, clock).create(ORDERS, Duration.ofHours(1));

    assertThat(new JoinTokens(storage, clock).verify(token)).isInstanceOf(JoinTokens.Valid.class);
    assertThat(new JoinTokens(new InMemoryCaStorage(), clock).verify(token))
        .isInstanceOfSatisfying(JoinTokens.Invalid.class,
            invalid -> assertThat(invalid.failure()).isEqualTo(JoinTokens.Failure.BAD_SIGNATURE));
  }

  @Test
  void aTamperedPayloadFailsTheSignature() {
    JoinTokens tokens = new JoinTokens(storage, clock);
    String token = tokens.create(ORDERS, Duration.ofHours(1));
    String body = token.substring("mwjt1.".length(), token.lastIndexOf('.'));
    String payload = new String(Base64.getUrlDecoder().decode(body)).replace("orders", "payments");
    String forged = "mwjt1." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes())
        + token.substring(token.lastIndexOf('.'));

    assertThat(tokens.verify(forged)).isEqualTo(new JoinTokens.Invalid(JoinTokens.Failure.BAD_SIGNATURE,
        "token: signature does not verify (expected: a token issued by this CA)"));
  }

  @Test
  void malformedTokensSayWhatIsWrong() {
    JoinTokens tokens = new JoinTokens(storage, clock);

    assertThat(failure(tokens, "")).isEqualTo("token: empty (expected: a join token)");
    assertThat(failure(tokens, "eyJhbGciOi.x.y")).isEqualTo("token: unknown format (expected: mwjt1....)");
    assertThat(failure(tokens, "mwjt1.abc")).startsWith("token: wrong number of parts");
    assertThat(failure(tokens, "mwjt1.abc.d.e")).startsWith("token: wrong number of parts");
    assertThat(failure(tokens, "mwjt1.abc.!!")).startsWith("token: mac is not base64url");
    assertThat(failure(tokens, "mwjt1." + "a".repeat(5000))).isEqualTo("token: 5006 characters (expected: <= 4096)");
    assertThatThrownBy(() -> tokens.create(ORDERS, Duration.ZERO)).hasMessage("ttl: PT0S (expected: > 0 and <= PT8784H)");
  }

  @Test
  void theCaIssuesOnlyForAValidTokenAndOnlyItsIdentity() throws Exception {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    String token = ca.joinTokens().create(ORDERS, Duration.ofHours(1));
    var keys = TestCsrs.ec("secp256r1");

    IssuedCertificate plain = ca.issueForToken(token, TestCsrs.csr(keys, "CN=x"), null);
    IssuedCertificate asked = ca.issueForToken(token, TestCsrs.csr(keys, "CN=x", ORDERS.toString()), null);

    assertThat(plain.identity()).isEqualTo(ORDERS);
    assertThat(CertificateAuthorityTest.uris(CertificateAuthorityTest.single(asked.certificateChainPem())))
        .containsExactly(ORDERS.toString());
    CertificateAuthorityTest.assertRefused(
        () -> ca.issueForToken(token, TestCsrs.csr(keys, "CN=x", PAYMENTS.toString()), null),
        IssuanceException.Reason.IDENTITY_MISMATCH,
        "csr URI SAN: spiffe://cluster.local/ns/shop/sa/payments (expected: spiffe://cluster.local/ns/shop/sa/orders");
    CertificateAuthorityTest.assertRefused(() -> ca.issueForToken(null, TestCsrs.csr(keys, "CN=x"), null),
        IssuanceException.Reason.BAD_TOKEN, "token: empty");
    String foreign = new JoinTokens(new InMemoryCaStorage(), clock).create(ORDERS, Duration.ofHours(1));
    CertificateAuthorityTest.assertRefused(() -> ca.issueForToken(foreign, TestCsrs.csr(keys, "CN=x"), null),
        IssuanceException.Reason.BAD_TOKEN, "token: signature does not verify");
    String foreignDomain = ca.joinTokens().create(SpiffeId.forWorkload("other.org", "shop", "orders"), Duration.ofHours(1));
    CertificateAuthorityTest.assertRefused(() -> ca.issueForToken(foreignDomain, TestCsrs.csr(keys, "CN=x"), null),
        IssuanceException.Reason.FOREIGN_TRUST_DOMAIN, "(expected: in trust domain cluster.local)");
    clock.advance(Duration.ofHours(2));
    CertificateAuthorityTest.assertRefused(() -> ca.issueForToken(token, TestCsrs.csr(keys, "CN=x"), null),
        IssuanceException.Reason.BAD_TOKEN, "token: expired");
  }

  private static String failure(JoinTokens tokens, String token) {
    return ((JoinTokens.Invalid) tokens.verify(token)).message();
  }
}
