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
    assertThatThrownBy(() -> tokens.create(ORDERS, Duration.ZERO)).hasMessage("ttl: 0s (expected: > 0 and <= 720h,"
        + " the control plane's maximum token lifetime, --max-token-ttl)");
    assertThatThrownBy(() -> tokens.create(ORDERS, Duration.ofDays(31))).hasMessageStartingWith("ttl: 744h");
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

  @Test
  void aTokenVerifiesOnlyWhileItsRecordIsLiveAndExpiredRecordsAreForgottenAfterADay() {
    JoinTokens tokens = new JoinTokens(storage, clock);
    String token = tokens.create(ORDERS, Duration.ofHours(1));
    String other = tokens.create(PAYMENTS, Duration.ofHours(2));
    String id = ((JoinTokens.Valid) tokens.verify(token)).tokenId();
    assertThat(tokens.ledger().list()).extracting(TokenRecord::identity).containsExactlyInAnyOrder(ORDERS, PAYMENTS);

    assertThat(tokens.ledger().revoke(id).orElseThrow().status(clock.instant())).isEqualTo(TokenRecord.Status.REVOKED);
    assertThat(tokens.verify(token)).isEqualTo(new JoinTokens.Invalid(JoinTokens.Failure.REVOKED,
        "token " + id + ": revoked at " + clock.instant()));
    assertThat(new JoinTokens(storage, clock).verify(token)).as("after a restart")
        .isInstanceOfSatisfying(JoinTokens.Invalid.class,
            invalid -> assertThat(invalid.failure()).isEqualTo(JoinTokens.Failure.REVOKED));
    assertThat(tokens.verify(other)).isInstanceOf(JoinTokens.Valid.class);

    // A token with a valid signature but no record (a ledger lost or from before tokens were recorded) fails closed.
    storage.put(TokenLedger.NAME, "");
    assertThat(new JoinTokens(storage, clock).verify(other)).isInstanceOfSatisfying(JoinTokens.Invalid.class,
        invalid -> assertThat(invalid.message()).endsWith(": unknown to the control plane (expected: a token"
            + " listed by 'meshwork token list'; create a new one)"));

    JoinTokens fresh = new JoinTokens(storage, clock);
    String expiring = fresh.create(ORDERS, Duration.ofHours(1));
    String expiringId = ((JoinTokens.Valid) fresh.verify(expiring)).tokenId();
    clock.advance(Duration.ofHours(2));
    assertThat(fresh.ledger().find(expiringId).orElseThrow().status(clock.instant()))
        .isEqualTo(TokenRecord.Status.EXPIRED);
    clock.advance(Duration.ofHours(24));
    fresh.create(PAYMENTS, Duration.ofHours(1));
    assertThat(fresh.ledger().find(expiringId)).as("forgotten a day after it expired").isEmpty();
  }

  @Test
  void aRevokedIdentityVoidsTokensMadeBeforeItAndTheCaStopsBackdatingAtTheCutoff() throws Exception {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    String before = ca.joinTokens().create(ORDERS, Duration.ofHours(1));
    clock.advance(Duration.ofMillis(300));
    IdentityRevocations.Revocation revocation = ca.revocations().revoke(ORDERS);
    // The next whole second: X.509 times have whole seconds (RFC 5280 §4.1.2.5).
    assertThat(revocation.cutoff()).isEqualTo(Instant.parse("2026-05-01T12:00:01Z"));
    assertThat(ca.joinTokens().verify(before)).isInstanceOfSatisfying(JoinTokens.Invalid.class,
        invalid -> assertThat(invalid.failure()).isEqualTo(JoinTokens.Failure.IDENTITY_REVOKED));
    CertificateAuthorityTest.assertRefused(() -> ca.issueForToken(before, TestCsrs.csr(TestCsrs.ec("secp256r1"),
        "CN=x"), null), IssuanceException.Reason.REVOKED_IDENTITY, "was revoked at 2026-05-01T12:00:01Z");

    clock.advance(Duration.ofMillis(700));
    String after = ca.joinTokens().create(ORDERS, Duration.ofHours(1));
    IssuedCertificate issued = ca.issueForToken(after, TestCsrs.csr(TestCsrs.ec("secp256r1"), "CN=x"), null);
    assertThat(issued.notBefore()).isEqualTo(revocation.cutoff());
    assertThat(ca.revocations().revoked(ORDERS, issued.notBefore())).isFalse();
    assertThat(ca.revocations().revoked(ORDERS, issued.notBefore().minusSeconds(1))).isTrue();
    assertThat(ca.revocations().revoked(PAYMENTS, issued.notBefore().minusSeconds(1))).isFalse();
    assertThat(CertificateAuthority.open(storage, CaConfig.defaults(), clock).revocations().cutoff(ORDERS))
        .contains(revocation.cutoff());
  }

  private static String failure(JoinTokens tokens, String token) {
    return ((JoinTokens.Invalid) tokens.verify(token)).message();
  }
}
