package io.meshwork.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.security.SvidValidation.Reason;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SvidValidatorTest {
  static final Instant NOW = Instant.parse("2026-06-01T10:00:00Z");
  static final SpiffeId ORDERS = SpiffeId.forWorkload("cluster.local", "shop", "orders");

  TestPki.Issuer root;
  SvidValidator validator;
  WorkloadCsr workload;

  @BeforeEach
  void setUp() throws Exception {
    root = TestPki.root("root", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(3650)));
    validator = new SvidValidator(TrustAnchors.fromPem(TestPki.pem(root.certificate())), "cluster.local",
        Clock.fixed(NOW, ZoneOffset.UTC));
    workload = CsrFactory.create(ORDERS);
  }

  @Test
  void acceptsAValidSvidAndReturnsThePeerIdentity() throws Exception {
    X509Certificate leaf = svid(root, ORDERS.toString(), NOW.minus(Duration.ofMinutes(1)), NOW.plus(Duration.ofHours(24)));

    assertThat(validator.validate(List.of(leaf))).isEqualTo(new SvidValidation.Valid(ORDERS));
    assertThat(validator.validate(List.of(leaf, root.certificate()))).isEqualTo(new SvidValidation.Valid(ORDERS));
  }

  @Test
  void refusesACaCertificateAsLeaf() throws Exception {
    X509Certificate leaf = TestPki.leaf(root, workload.keyPair().getPublic(),
        new TestPki.Leaf(List.of(ORDERS.toString()), true, false, NOW.minusSeconds(60), NOW.plusSeconds(3600)));

    assertThat(reason(leaf)).isEqualTo(Reason.LEAF_IS_CA);
  }

  @Test
  void refusesALeafThatMaySignCertificates() throws Exception {
    X509Certificate leaf = TestPki.leaf(root, workload.keyPair().getPublic(),
        new TestPki.Leaf(List.of(ORDERS.toString()), false, true, NOW.minusSeconds(60), NOW.plusSeconds(3600)));

    assertThat(reason(leaf)).isEqualTo(Reason.BAD_KEY_USAGE);
  }

  @Test
  void refusesSeveralUriSansOrNone() throws Exception {
    X509Certificate two = TestPki.leaf(root, workload.keyPair().getPublic(), new TestPki.Leaf(
        List.of(ORDERS.toString(), "spiffe://cluster.local/ns/shop/sa/admin"), false, false,
        NOW.minusSeconds(60), NOW.plusSeconds(3600)));
    X509Certificate none = TestPki.leaf(root, workload.keyPair().getPublic(),
        new TestPki.Leaf(List.of(), false, false, NOW.minusSeconds(60), NOW.plusSeconds(3600)));

    assertThat(reason(two)).isEqualTo(Reason.MULTIPLE_URI_SANS);
    assertThat(reason(none)).isEqualTo(Reason.NO_URI_SAN);
  }

  @Test
  void refusesAUriThatIsNotASpiffeId() throws Exception {
    X509Certificate leaf = svid(root, "https://cluster.local/ns/shop/sa/orders", NOW.minusSeconds(60), NOW.plusSeconds(3600));

    assertThat(validator.validate(List.of(leaf))).isInstanceOfSatisfying(SvidValidation.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(Reason.NOT_A_SPIFFE_ID);
      assertThat(r.detail()).contains("scheme: https (expected: spiffe://)");
    });
  }

  @Test
  void refusesAnotherTrustDomain() throws Exception {
    X509Certificate leaf = svid(root, "spiffe://evil.example/ns/shop/sa/orders", NOW.minusSeconds(60), NOW.plusSeconds(3600));

    assertThat(reason(leaf)).isEqualTo(Reason.WRONG_TRUST_DOMAIN);
  }

  @Test
  void refusesExpiredAndNotYetValidLeaves() throws Exception {
    X509Certificate expired = svid(root, ORDERS.toString(), NOW.minus(Duration.ofDays(2)), NOW.minusSeconds(1));
    X509Certificate future = svid(root, ORDERS.toString(), NOW.plusSeconds(120), NOW.plus(Duration.ofDays(1)));

    assertThat(reason(expired)).isEqualTo(Reason.EXPIRED);
    assertThat(reason(future)).isEqualTo(Reason.NOT_YET_VALID);
  }

  @Test
  void refusesALeafFromAnUnknownRoot() throws Exception {
    TestPki.Issuer stranger = TestPki.root("stranger", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)));
    X509Certificate leaf = svid(stranger, ORDERS.toString(), NOW.minusSeconds(60), NOW.plusSeconds(3600));

    assertThat(reason(leaf)).isEqualTo(Reason.UNTRUSTED_ROOT);
    assertThat(validator.validate(List.of(leaf, stranger.certificate())))
        .isInstanceOfSatisfying(SvidValidation.Rejected.class,
            r -> assertThat(r.reason()).isIn(Reason.UNTRUSTED_ROOT, Reason.INVALID_CHAIN));
  }

  @Test
  void acceptsLeavesOfEveryRootInTheBundleDuringRotation() throws Exception {
    TestPki.Issuer next = TestPki.root("next", NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(3650)));
    SvidValidator both = new SvidValidator(TrustAnchors.fromPem(TestPki.pem(next.certificate(), root.certificate())),
        "cluster.local", Clock.fixed(NOW, ZoneOffset.UTC));

    assertThat(both.validate(List.of(svid(root, ORDERS.toString(), NOW.minusSeconds(60), NOW.plusSeconds(60)))))
        .isEqualTo(new SvidValidation.Valid(ORDERS));
    assertThat(both.validate(List.of(svid(next, ORDERS.toString(), NOW.minusSeconds(60), NOW.plusSeconds(60)))))
        .isEqualTo(new SvidValidation.Valid(ORDERS));
  }

  @Test
  void refusesAnEmptyChain() {
    assertThat(validator.validate(List.of())).isEqualTo(
        new SvidValidation.Rejected(Reason.EMPTY_CHAIN, "peer presented no certificate"));
  }

  @Test
  void csrFactoryPutsTheIdentityInTheRequest() throws Exception {
    var csr = (org.bouncycastle.pkcs.PKCS10CertificationRequest)
        new org.bouncycastle.openssl.PEMParser(new java.io.StringReader(workload.csrPem())).readObject();

    assertThat(csr.isSignatureValid(new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder()
        .build(csr.getSubjectPublicKeyInfo()))).isTrue();
    assertThat(csr.getSubjectPublicKeyInfo().getEncoded()).isEqualTo(workload.keyPair().getPublic().getEncoded());
    var extensions = org.bouncycastle.asn1.x509.Extensions.getInstance(csr.getAttributes(
        org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0].getAttrValues().getObjectAt(0));
    assertThat(org.bouncycastle.asn1.x509.GeneralNames.fromExtensions(extensions,
        org.bouncycastle.asn1.x509.Extension.subjectAlternativeName).getNames())
        .extracting(n -> n.getName().toString()).containsExactly(ORDERS.toString());
    assertThat(workload.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(workload.toString()).doesNotContain("PRIVATE");
  }

  private X509Certificate svid(TestPki.Issuer issuer, String uri, Instant notBefore, Instant notAfter) throws Exception {
    return TestPki.leaf(issuer, workload.keyPair().getPublic(), TestPki.Leaf.svid(uri, notBefore, notAfter));
  }

  private Reason reason(X509Certificate leaf) {
    return ((SvidValidation.Rejected) validator.validate(List.of(leaf))).reason();
  }
}
