package io.meshwork.control.ca;

import io.meshwork.model.identity.SpiffeId;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Makes self-signed roots and checks user-supplied ones. */
final class RootFactory {
  static final X500Name ROOT_SUBJECT = new X500Name("O=Meshwork,CN=Meshwork Root CA");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RootFactory() {}

  /** An EC P-256 self-signed root: CA:true, keyCertSign + cRLSign, the trust domain as URI SAN. */
  static RootKey generate(String trustDomain, Duration validity, Clock clock) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      KeyPair keys = generator.generateKeyPair();
      Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      // Backdated like leaves, so a root made a moment ago verifies on a peer whose clock lags.
      Instant notBefore = now.minus(CertificateAuthority.CLOCK_SKEW);
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          ROOT_SUBJECT, randomSerial(), Date.from(notBefore), Date.from(now.plus(validity)),
          ROOT_SUBJECT, keys.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
          new GeneralName(GeneralName.uniformResourceIdentifier, SpiffeId.forTrustDomain(trustDomain).toString())));
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
      return new RootKey(certificate, keys.getPrivate());
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot generate a root certificate", e);
    }
  }

  /** Checks that a user-supplied root can act as this mesh's CA; fails fast at start-up. */
  static RootKey checkImported(RootKey root, Clock clock) {
    X509Certificate cert = root.certificate();
    if (cert.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("root certificate: basicConstraints CA:false (expected: a CA certificate)");
    }
    boolean[] usage = cert.getKeyUsage();
    if (usage != null && !usage[5]) {
      throw new IllegalArgumentException("root certificate: keyUsage without keyCertSign (expected: keyCertSign)");
    }
    try {
      cert.checkValidity(Date.from(clock.instant()));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("root certificate: valid " + cert.getNotBefore().toInstant() + ".."
          + cert.getNotAfter().toInstant() + " (expected: valid now, " + clock.instant() + ")", e);
    }
    if (!matches(cert.getPublicKey(), root)) {
      throw new IllegalArgumentException("root key: does not match the root certificate's public key"
          + " (expected: the certificate's private key)");
    }
    root.signatureAlgorithm();
    return root;
  }

  static BigInteger randomSerial() {
    // RFC 5280 §4.1.2.2: positive, at most 20 octets; 128 random bits as the CA/B BRs advise.
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return new BigInteger(1, bytes).setBit(127);
  }

  private static boolean matches(PublicKey publicKey, RootKey root) {
    try {
      byte[] probe = new byte[32];
      RANDOM.nextBytes(probe);
      var signer = java.security.Signature.getInstance(root.signatureAlgorithm());
      signer.initSign(root.privateKey());
      signer.update(probe);
      byte[] signature = signer.sign();
      var verifier = java.security.Signature.getInstance(root.signatureAlgorithm());
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalStateException e) {
      return false;
    }
  }
}
