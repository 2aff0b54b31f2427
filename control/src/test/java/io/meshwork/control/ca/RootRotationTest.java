package io.meshwork.control.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.model.identity.SpiffeId;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RootRotationTest {
  static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
  static final SpiffeId ORDERS = SpiffeId.forWorkload("cluster.local", "shop", "orders");

  final MutableClock clock = new MutableClock(START);
  final InMemoryCaStorage storage = new InMemoryCaStorage();

  @Test
  void peersTrustingTheBundleAcceptOldAndNewLeavesDuringTheOverlap() throws Exception {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    X509Certificate oldRoot = ca.rootCertificate();
    X509Certificate oldLeaf = issue(ca, Duration.ofHours(24));

    clock.advance(Duration.ofHours(1));
    TrustBundle bundle = ca.rotateRoot();
    X509Certificate newLeaf = issue(ca, Duration.ofHours(24));

    assertThat(bundle.roots()).hasSize(2);
    assertThat(bundle.newest()).isEqualTo(ca.rootCertificate()).isNotEqualTo(oldRoot);
    assertThat(bundle.roots().get(1)).isEqualTo(oldRoot);
    newLeaf.verify(ca.rootCertificate().getPublicKey());
    assertThat(pkix(oldLeaf, bundle)).isTrue();
    assertThat(pkix(newLeaf, bundle)).isTrue();
    assertThat(pkix(newLeaf, new TrustBundle(List.of(oldRoot)))).isFalse();
    assertThat(TrustBundle.fromPem(bundle.toPem())).isEqualTo(bundle);
  }

  @Test
  void theOldRootLeavesTheBundleOnlyOnceItsLastLeafExpired() throws Exception {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    X509Certificate oldRoot = ca.rootCertificate();
    issue(ca, Duration.ofHours(1));
    X509Certificate longest = issue(ca, Duration.ofHours(12));
    ca.rotateRoot();

    clock.advance(Duration.ofHours(11));
    assertThat(ca.pruneTrustBundle()).isEmpty();
    assertThat(ca.trustBundle().roots()).contains(oldRoot);
    assertThat(ca.leafHorizon(oldRoot)).contains(longest.getNotAfter().toInstant());

    clock.advance(Duration.ofHours(1));
    assertThat(ca.pruneTrustBundle()).containsExactly(oldRoot);
    assertThat(ca.trustBundle().roots()).containsExactly(ca.rootCertificate());
    assertThat(CertificateAuthority.open(storage, CaConfig.defaults(), clock).trustBundle().roots())
        .containsExactly(ca.rootCertificate());
  }

  @Test
  void aRootThatSignedNothingIsPrunedAtOnceAndTheSigningRootNever() {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    X509Certificate first = ca.rootCertificate();
    ca.rotateRoot();

    assertThat(ca.pruneTrustBundle()).containsExactly(first);
    clock.advance(Duration.ofDays(365));
    assertThat(ca.pruneTrustBundle()).isEmpty();
    assertThat(ca.trustBundle().roots()).containsExactly(ca.rootCertificate());
  }

  @Test
  void rotationSurvivesARestart() throws Exception {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    X509Certificate oldRoot = ca.rootCertificate();
    issue(ca, Duration.ofHours(6));
    ca.rotateRoot();

    CertificateAuthority restarted = CertificateAuthority.open(storage, CaConfig.defaults(), clock);

    assertThat(restarted.rootCertificate()).isEqualTo(ca.rootCertificate());
    assertThat(restarted.trustBundle()).isEqualTo(ca.trustBundle());
    assertThat(restarted.leafHorizon(oldRoot)).contains(START.plus(Duration.ofHours(6)));
    issue(restarted, Duration.ofHours(1)).verify(ca.rootCertificate().getPublicKey());
  }

  @Test
  void aStagedRootIsTrustedAtOnceButSignsOnlyWhenDue() throws Exception {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    X509Certificate oldRoot = ca.rootCertificate();

    CertificateAuthority.StagedRoot staged = ca.stageRoot(Duration.ofMinutes(2));

    assertThat(ca.trustBundle().roots()).containsExactly(oldRoot, staged.certificate());
    assertThat(staged.activatesAt()).isEqualTo(START.plus(Duration.ofMinutes(2)));
    // A peer that fetched this bundle trusts leaves of either root; leaves are still signed by the old one.
    X509Certificate beforeActivation = issue(ca, Duration.ofHours(1));
    beforeActivation.verify(oldRoot.getPublicKey());
    assertThat(ca.pruneTrustBundle()).isEmpty();
    assertThat(ca.activateStagedRoot()).isFalse();

    clock.advance(Duration.ofMinutes(2));
    assertThat(ca.activateStagedRoot()).isTrue();
    X509Certificate afterActivation = issue(ca, Duration.ofHours(1));

    assertThat(ca.rootCertificate()).isEqualTo(staged.certificate());
    assertThat(ca.trustBundle().roots()).containsExactly(staged.certificate(), oldRoot);
    assertThat(ca.stagedRoot()).isEmpty();
    afterActivation.verify(staged.certificate().getPublicKey());
    assertThat(pkix(beforeActivation, ca.trustBundle())).isTrue();
    assertThat(pkix(afterActivation, ca.trustBundle())).isTrue();
    assertThat(ca.activateStagedRoot()).isFalse();
  }

  @Test
  void aStagedRootSurvivesARestart() {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    X509Certificate oldRoot = ca.rootCertificate();
    CertificateAuthority.StagedRoot staged = ca.stageRoot(Duration.ofMinutes(5));

    CertificateAuthority restarted = CertificateAuthority.open(storage, CaConfig.defaults(), clock);

    assertThat(restarted.stagedRoot()).contains(staged);
    assertThat(restarted.rootCertificate()).isEqualTo(oldRoot);
    assertThat(restarted.trustBundle().roots()).containsExactly(oldRoot, staged.certificate());
    clock.advance(Duration.ofMinutes(5));
    assertThat(restarted.activateStagedRoot()).isTrue();
    assertThat(CertificateAuthority.open(storage, CaConfig.defaults(), clock).rootCertificate())
        .isEqualTo(staged.certificate());
    assertThat(CertificateAuthority.open(storage, CaConfig.defaults(), clock).stagedRoot()).isEmpty();
  }

  @Test
  void stagingRejectsANegativeDelay() {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    assertThatThrownBy(() -> ca.stageRoot(Duration.ofSeconds(-1)))
        .hasMessage("activationDelay: PT-1S (expected: >= 0)");
  }

  @Test
  void trustBundleRejectsEmptyInput() {
    assertThatThrownBy(() -> TrustBundle.fromPem("")).hasMessage(
        "trust bundle: no CERTIFICATE block (expected: PEM certificates)");
  }

  private static X509Certificate issue(CertificateAuthority ca, Duration ttl) throws Exception {
    return CertificateAuthorityTest.single(
        ca.issue(TestCsrs.csr(TestCsrs.ec("secp256r1"), "CN=x"), ORDERS, ttl).certificateChainPem());
  }

  private boolean pkix(X509Certificate leaf, TrustBundle bundle) throws Exception {
    Set<TrustAnchor> anchors = bundle.roots().stream().map(r -> new TrustAnchor(r, null)).collect(Collectors.toSet());
    PKIXParameters parameters = new PKIXParameters(anchors);
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(clock.instant()));
    try {
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
      return true;
    } catch (CertPathValidatorException e) {
      return false;
    }
  }
}
