package io.meshwork.control.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.model.identity.SpiffeId;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {
  static final Instant START = Instant.parse("2026-01-10T08:00:00Z");
  static final SpiffeId ORDERS = SpiffeId.forWorkload("cluster.local", "shop", "orders");

  final MutableClock clock = new MutableClock(START);
  final InMemoryCaStorage storage = new InMemoryCaStorage();

  @Test
  void generatesAnEcRootOnFirstStartAndKeepsIt() throws Exception {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    X509Certificate root = ca.rootCertificate();

    assertThat(root.getSubjectX500Principal().getName()).isEqualTo("CN=Meshwork Root CA,O=Meshwork");
    assertThat(root.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(root.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
    boolean[] usage = root.getKeyUsage();
    assertThat(usage[5]).as("keyCertSign").isTrue();
    assertThat(usage[6]).as("cRLSign").isTrue();
    assertThat(root.getNotAfter().toInstant()).isEqualTo(START.plus(Duration.ofDays(3650)));
    assertThat(uris(root)).containsExactly("spiffe://cluster.local");
    root.verify(root.getPublicKey());

    CertificateAuthority reopened = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    assertThat(reopened.rootCertificate()).isEqualTo(root);
    assertThat(reopened.trustBundle().roots()).containsExactly(root);
  }

  @Test
  void issuesAnX509SvidFollowingTheSpiffeProfile() throws Exception {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    KeyPair keys = TestCsrs.ec("secp256r1");
    // The CSR asks for a subject and SANs of its own; they must not reach the certificate.
    String csr = TestCsrs.csr(keys, "CN=admin,O=Evil", "spiffe://cluster.local/ns/kube-system/sa/admin");

    IssuedCertificate issued = ca.issue(csr, ORDERS, null);
    X509Certificate leaf = single(issued.certificateChainPem());

    assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(uris(leaf)).containsExactly("spiffe://cluster.local/ns/shop/sa/orders");
    assertThat(leaf.getSubjectAlternativeNames()).hasSize(1);
    assertThat(leaf.getSubjectX500Principal().getName()).isEmpty();
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15", "2.5.29.17");
    assertThat(leaf.getKeyUsage()).startsWith(true, false, false, false, false, false, false);
    assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(leaf.getSerialNumber().bitLength()).isEqualTo(128);
    assertThat(leaf.getNotBefore().toInstant()).isEqualTo(START.minus(Duration.ofMinutes(1)));
    assertThat(leaf.getNotAfter().toInstant()).isEqualTo(START.plus(Duration.ofHours(24)));
    assertThat(issued.notAfter()).isEqualTo(START.plus(Duration.ofHours(24)));
    assertThat(issued.identity()).isEqualTo(ORDERS);
    assertThat(issued.serialNumberHex()).isEqualTo(leaf.getSerialNumber().toString(16));
    assertThat(TrustBundle.fromPem(issued.trustBundlePem()).roots()).containsExactly(ca.rootCertificate());
    leaf.verify(ca.rootCertificate().getPublicKey());
  }

  @Test
  void serialsDiffer() throws Exception {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    String csr = TestCsrs.csr(TestCsrs.ec("secp256r1"), "CN=x");

    assertThat(ca.issue(csr, ORDERS, null).serialNumberHex()).isNotEqualTo(ca.issue(csr, ORDERS, null).serialNumberHex());
  }

  @Test
  void acceptsP384AndRsa2048WithKeyEnciphermentForRsa() throws Exception {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);

    X509Certificate p384 = single(ca.issue(TestCsrs.csr(TestCsrs.ec("secp384r1"), "CN=x"), ORDERS, null).certificateChainPem());
    X509Certificate rsa = single(ca.issue(TestCsrs.csr(TestCsrs.rsa(2048), "CN=x"), ORDERS, null).certificateChainPem());

    assertThat(p384.getKeyUsage()[2]).as("keyEncipherment for EC").isFalse();
    assertThat(rsa.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(rsa.getKeyUsage()[2]).as("keyEncipherment for RSA").isTrue();
  }

  @Test
  void refusesWeakOrUnsupportedKeysAndBadRequests() throws Exception {
    CertificateAuthority ca = CertificateAuthority.open(storage, CaConfig.defaults(), clock);

    assertRefused(() -> ca.issue(TestCsrs.csr(TestCsrs.rsa(1024), "CN=x"), ORDERS, null),
        IssuanceException.Reason.UNSUPPORTED_KEY, "csr key: RSA 1024 bits (expected: >= 2048)");
    assertRefused(() -> ca.issue(TestCsrs.csr(TestCsrs.ec("secp521r1"), "CN=x"), ORDERS, null),
        IssuanceException.Reason.UNSUPPORTED_KEY, "(expected: P-256 or P-384)");
    assertRefused(() -> ca.issue(TestCsrs.csr(TestCsrs.ed25519(), "CN=x"), ORDERS, null),
        IssuanceException.Reason.UNSUPPORTED_KEY, "(expected: EC P-256, EC P-384 or RSA >= 2048)");
    assertRefused(() -> ca.issue(TestCsrs.csrSignedByOtherKey(TestCsrs.ec("secp256r1")), ORDERS, null),
        IssuanceException.Reason.BAD_CSR_SIGNATURE, "csr: signature does not verify");
    assertRefused(() -> ca.issue("not a csr", ORDERS, null),
        IssuanceException.Reason.MALFORMED_CSR, "csr: no PEM block");
    assertRefused(() -> ca.issue(CertificateAuthority.open(new InMemoryCaStorage(), CaConfig.defaults(), clock)
            .trustBundle().toPem(), ORDERS, null),
        IssuanceException.Reason.MALFORMED_CSR, "(expected: a PEM CERTIFICATE REQUEST)");
    String csr = TestCsrs.csr(TestCsrs.ec("secp256r1"), "CN=x");
    assertRefused(() -> ca.issue(csr, ORDERS, Duration.ZERO), IssuanceException.Reason.INVALID_TTL, "ttl: PT0S");
    assertRefused(() -> ca.issue(csr, ORDERS, Duration.ofDays(91)), IssuanceException.Reason.INVALID_TTL,
        "(expected: > 0 and <= PT2160H)");
    assertRefused(() -> ca.issue(csr, SpiffeId.forWorkload("other.org", "shop", "orders"), null),
        IssuanceException.Reason.FOREIGN_TRUST_DOMAIN, "(expected: in trust domain cluster.local)");
  }

  @Test
  void capsLeafLifetimeAtTheRootsExpiry() throws Exception {
    CaConfig config = new CaConfig("cluster.local", Duration.ofDays(10), Duration.ofDays(1), Duration.ofDays(5));
    CertificateAuthority ca = CertificateAuthority.open(storage, config, clock);
    clock.advance(Duration.ofDays(9).plusHours(12));

    IssuedCertificate issued = ca.issue(TestCsrs.csr(TestCsrs.ec("secp256r1"), "CN=x"), ORDERS, Duration.ofDays(2));

    assertThat(issued.notAfter()).isEqualTo(ca.rootCertificate().getNotAfter().toInstant());
  }

  @Test
  void importsAnOperatorSuppliedRoot() throws Exception {
    CertificateAuthority donor = CertificateAuthority.open(new InMemoryCaStorage(), CaConfig.defaults(), clock);
    var donorStorage = new InMemoryCaStorage();
    CertificateAuthority source = CertificateAuthority.open(donorStorage, CaConfig.defaults(), clock);
    String certPem = donorStorage.get(CertificateAuthority.ROOT_CERT).orElseThrow();
    String keyPem = donorStorage.get(CertificateAuthority.ROOT_KEY).orElseThrow();

    CertificateAuthority ca = CertificateAuthority.importRoot(certPem, keyPem, storage, CaConfig.defaults(), clock);
    X509Certificate leaf = single(ca.issue(TestCsrs.csr(TestCsrs.ec("secp256r1"), "CN=x"), ORDERS, null)
        .certificateChainPem());

    assertThat(ca.rootCertificate()).isEqualTo(source.rootCertificate());
    leaf.verify(source.rootCertificate().getPublicKey());
    String otherCert = PemCodec.certificate(donor.rootCertificate());
    assertThatThrownBy(() -> CertificateAuthority.importRoot(otherCert, keyPem, new InMemoryCaStorage(),
            CaConfig.defaults(), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("root key: does not match the root certificate's public key (expected: the certificate's private key)");
    assertThatThrownBy(() -> CertificateAuthority.importRoot(leafPem(ca), keyPem, new InMemoryCaStorage(),
            CaConfig.defaults(), clock))
        .hasMessage("root certificate: basicConstraints CA:false (expected: a CA certificate)");
  }

  @Test
  void importReplacingAStoredRootKeepsTheOldOneTrusted() throws Exception {
    CertificateAuthority first = CertificateAuthority.open(storage, CaConfig.defaults(), clock);
    var donorStorage = new InMemoryCaStorage();
    CertificateAuthority.open(donorStorage, CaConfig.defaults(), clock);

    CertificateAuthority ca = CertificateAuthority.importRoot(donorStorage.get(CertificateAuthority.ROOT_CERT).orElseThrow(),
        donorStorage.get(CertificateAuthority.ROOT_KEY).orElseThrow(), storage, CaConfig.defaults(), clock);

    assertThat(ca.trustBundle().roots()).hasSize(2).endsWith(first.rootCertificate());
    assertThat(ca.trustBundle().newest()).isEqualTo(ca.rootCertificate());
  }

  static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
      IssuanceException.Reason reason, String message) {
    assertThatThrownBy(call).isInstanceOfSatisfying(IssuanceException.class,
        e -> assertThat(e.reason()).isEqualTo(reason)).hasMessageContaining(message);
  }

  static X509Certificate single(String pem) throws Exception {
    Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    assertThat(all).hasSize(1);
    return (X509Certificate) all.iterator().next();
  }

  static List<String> uris(X509Certificate certificate) throws Exception {
    return certificate.getSubjectAlternativeNames().stream()
        .filter(san -> (Integer) san.get(0) == 6)
        .map(san -> (String) san.get(1))
        .toList();
  }

  private String leafPem(CertificateAuthority ca) throws Exception {
    return ca.issue(TestCsrs.csr(TestCsrs.ec("secp256r1"), "CN=x"), ORDERS, null).certificateChainPem();
  }
}
