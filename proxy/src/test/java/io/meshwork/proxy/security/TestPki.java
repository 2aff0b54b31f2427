package io.meshwork.proxy.security;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Mints roots and leaves in tests, including the malformed SVIDs a correct CA never issues (CA
 * leaves, several URI SANs, https URIs) so the validator's refusals can be proven.
 */
final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();

  record Issuer(X509Certificate certificate, PrivateKey key) {}

  /** The shape of a leaf: the X.509-SVID profile unless a test bends it. */
  record Leaf(List<String> uris, boolean ca, boolean keyCertSign, Instant notBefore, Instant notAfter) {
    static Leaf svid(String uri, Instant notBefore, Instant notAfter) {
      return new Leaf(List.of(uri), false, false, notBefore, notAfter);
    }
  }

  private TestPki() {}

  static KeyPair ecKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  static Issuer root(String name, Instant notBefore, Instant notAfter) throws Exception {
    KeyPair keys = ecKey();
    X500Name subject = new X500Name("O=Meshwork,CN=" + name);
    var builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(notBefore), Date.from(notAfter),
        subject, keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new Issuer(sign(builder, keys.getPrivate()), keys.getPrivate());
  }

  static X509Certificate leaf(Issuer issuer, PublicKey key, Leaf leaf) throws Exception {
    var builder = new JcaX509v3CertificateBuilder(issuer.certificate(), serial(), Date.from(leaf.notBefore()),
        Date.from(leaf.notAfter()), new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), key);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(leaf.ca()));
    int usage = KeyUsage.digitalSignature | (leaf.keyCertSign() ? KeyUsage.keyCertSign : 0);
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
    builder.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    if (!leaf.uris().isEmpty()) {
      GeneralName[] names = leaf.uris().stream()
          .map(uri -> new GeneralName(GeneralName.uniformResourceIdentifier, uri)).toArray(GeneralName[]::new);
      builder.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(names));
    } else {
      builder.addExtension(Extension.subjectAlternativeName, true,
          new GeneralNames(new GeneralName(GeneralName.dNSName, "orders.shop")));
    }
    return sign(builder, issuer.key());
  }

  static String pem(X509Certificate... certificates) throws Exception {
    StringBuilder out = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      out.append("-----BEGIN CERTIFICATE-----\n")
          .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded()))
          .append("\n-----END CERTIFICATE-----\n");
    }
    return out.toString();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).setBit(126);
  }
}
