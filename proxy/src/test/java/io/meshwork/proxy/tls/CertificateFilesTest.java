package io.meshwork.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A standalone sidecar's identity from PEM files, and the one-line errors for bad ones. */
class CertificateFilesTest {
  @TempDir Path dir;
  TestCa ca;
  KeyPair keys;
  Path cert;
  Path key;
  Path bundle;

  static String pem(Object... objects) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        writer.writeObject(o);
      }
    }
    return out.toString();
  }

  @BeforeEach
  void setUp() throws Exception {
    ca = new TestCa("files-root");
    keys = TestCa.ecKey();
    Instant now = Instant.now();
    var leaf = ca.svid(keys.getPublic(), TestCa.workload("shop", "orders"), now.minus(1, ChronoUnit.MINUTES),
        now.plus(1, ChronoUnit.DAYS));
    cert = Files.writeString(dir.resolve("cert.pem"), pem(leaf));
    key = Files.writeString(dir.resolve("key.pem"), pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
    bundle = Files.writeString(dir.resolve("ca.pem"), pem(ca.root));
  }

  @Test
  void loadsAnSvidWithItsKeyAndBundle() throws Exception {
    WorkloadIdentity identity = CertificateFiles.load(cert, key, bundle);
    assertThat(identity.id()).isEqualTo(TestCa.workload("shop", "orders"));
    assertThat(identity.missing()).isEmpty();
    assertThat(MeshTls.of(identity).hasCredentials()).isTrue();

    // The SEC 1 ("EC PRIVATE KEY", RFC 5915) form that openssl ecparam writes loads as well.
    var ec = (java.security.interfaces.ECPrivateKey) keys.getPrivate();
    var curve = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(ec.getEncoded()).getPrivateKeyAlgorithm()
        .getParameters();
    var sec1Key = new org.bouncycastle.asn1.sec.ECPrivateKey(ec.getParams().getOrder().bitLength(), ec.getS(), curve);
    Path sec1 = Files.writeString(dir.resolve("sec1.pem"),
        pem(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1Key.getEncoded())));
    assertThat(Files.readString(sec1)).contains("BEGIN EC PRIVATE KEY");
    assertThat(CertificateFiles.load(cert, sec1, bundle).id()).isEqualTo(TestCa.workload("shop", "orders"));
  }

  @Test
  void aMissingFileIsAOneLineErrorNamingTheOption() {
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(() -> CertificateFiles.load(missing, key, bundle))
        .hasMessage("--cert-file: " + missing + ": cannot read (NoSuchFileException: " + missing + ")");
    assertThatThrownBy(() -> CertificateFiles.load(cert, missing, bundle)).hasMessageStartingWith("--key-file: ");
    assertThatThrownBy(() -> CertificateFiles.load(cert, key, missing)).hasMessageStartingWith("--ca-file: ");
  }

  @Test
  void wrongContentsAreRefused() throws Exception {
    assertThatThrownBy(() -> CertificateFiles.load(key, key, bundle))
        .hasMessage("--cert-file: " + key + ": no CERTIFICATE block (expected: PEM certificates)");
    assertThatThrownBy(() -> CertificateFiles.load(cert, cert, bundle)).hasMessageStartingWith("--key-file: " + cert
        + ": no PRIVATE KEY block");
    Path otherKey = Files.writeString(dir.resolve("other.pem"),
        pem(new JcaPKCS8Generator(TestCa.ecKey().getPrivate(), null)));
    assertThatThrownBy(() -> CertificateFiles.load(cert, otherKey, bundle))
        .hasMessageContaining("does not match the certificate");
    Path rogue = Files.writeString(dir.resolve("rogue.pem"), pem(new TestCa("rogue").root));
    assertThatThrownBy(() -> CertificateFiles.load(cert, key, rogue))
        .hasMessageStartingWith("--cert-file: " + cert + ": chain: UNTRUSTED_ROOT");
  }
}
