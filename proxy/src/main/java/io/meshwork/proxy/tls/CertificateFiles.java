package io.meshwork.proxy.tls;

import io.meshwork.proxy.security.TrustAnchors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A standalone sidecar's workload identity from PEM files, as a certificate tool outside the mesh
 * (SPIRE, cert-manager, step, openssl) writes them: the SVID chain (leaf first), its private key
 * (PKCS #8 or SEC 1 / PKCS #1, unencrypted), and the trust bundle peers' SVIDs must chain to.
 * The files are read once at start; a missing or bad file fails the start with one line naming it.
 */
public final class CertificateFiles {
  private CertificateFiles() {}

  /**
   * The identity in the three files.
   *
   * @throws IllegalArgumentException naming the option and file when one is missing, unreadable,
   *     not PEM of the right kind, or the chain is not a valid SVID under the bundle now
   */
  public static WorkloadIdentity load(Path certFile, Path keyFile, Path caFile) {
    List<X509Certificate> chain = certificates("--cert-file", certFile);
    PrivateKey key = privateKey(keyFile);
    TrustAnchors bundle;
    try {
      bundle = new TrustAnchors(certificates("--ca-file", caFile));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--ca-file: " + caFile + ": " + e.getMessage(), e);
    }
    if (!matches(key, chain.getFirst())) {
      throw new IllegalArgumentException("--key-file: " + keyFile + " does not match the certificate in " + certFile
          + " (expected: the private key of the leaf)");
    }
    try {
      return WorkloadIdentity.fixed(key, chain, bundle);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--cert-file: " + certFile + ": " + e.getMessage(), e);
    }
  }

  private static String read(String option, Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException(option + ": " + file + ": cannot read (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    }
  }

  private static List<X509Certificate> certificates(String option, Path file) {
    String pem = read(option, file);
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(option + ": " + file + ": no CERTIFICATE block (expected: PEM certificates)");
    }
    try {
      return CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .stream().map(X509Certificate.class::cast).toList();
    } catch (CertificateException e) {
      throw new IllegalArgumentException(option + ": " + file + ": " + e.getMessage() + " (expected: PEM certificates)",
          e);
    }
  }

  private static PrivateKey privateKey(Path file) {
    String pem = read("--key-file", file);
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        switch (o) {
          case PrivateKeyInfo info -> {
            return converter.getPrivateKey(info);
          }
          case PEMKeyPair pair -> {
            // SEC 1 and PKCS #1 keys; the public part of a SEC 1 key is optional (RFC 5915 §3).
            return converter.getPrivateKey(pair.getPrivateKeyInfo());
          }
          default -> {
            // Parameters (EC PARAMETERS) or certificates beside the key: skip them.
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("--key-file: " + file + ": " + e.getMessage()
          + " (expected: an unencrypted PEM private key)", e);
    }
    throw new IllegalArgumentException("--key-file: " + file
        + ": no PRIVATE KEY block (expected: an unencrypted PEM private key, PKCS #8 or EC/RSA)");
  }

  /** Whether {@code key} belongs to the leaf, checked by signing: the JCA has no generic way to derive a public key. */
  private static boolean matches(PrivateKey key, X509Certificate leaf) {
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return true; // The TLS handshake will tell.
    }
    try {
      byte[] probe = "meshwork key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
