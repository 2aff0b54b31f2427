package io.meshwork.control.ca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** PEM (RFC 7468) text to and from certificates, private keys and PKCS#10 requests. */
final class PemCodec {
  private PemCodec() {}

  static String encode(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  static String certificate(X509Certificate certificate) {
    try {
      return encode("CERTIFICATE", certificate.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("certificate cannot be encoded", e);
    }
  }

  static String certificates(List<X509Certificate> certificates) {
    StringBuilder out = new StringBuilder();
    certificates.forEach(c -> out.append(certificate(c)));
    return out.toString();
  }

  /** PKCS#8 ("PRIVATE KEY"), whatever the algorithm. */
  static String privateKey(PrivateKey key) {
    return encode("PRIVATE KEY", key.getEncoded());
  }

  /** Every CERTIFICATE block of {@code pem}, in order. */
  static List<X509Certificate> parseCertificates(String field, String pem) {
    if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(field + ": no CERTIFICATE block (expected: PEM certificates)");
    }
    try {
      return CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .stream()
          .map(X509Certificate.class::cast)
          .toList();
    } catch (CertificateException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage() + " (expected: PEM certificates)", e);
    }
  }

  /** A PKCS#8, SEC 1 ("EC PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY") unencrypted key. */
  static PrivateKey parsePrivateKey(String field, String pem) {
    Object parsed = readSingle(field, pem);
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      return switch (parsed) {
        case PrivateKeyInfo info -> converter.getPrivateKey(info);
        case PEMKeyPair pair -> converter.getKeyPair(pair).getPrivate();
        case null -> throw new IllegalArgumentException(field + ": no PEM block (expected: an unencrypted private key)");
        default -> throw new IllegalArgumentException(
            field + ": " + parsed.getClass().getSimpleName() + " (expected: an unencrypted private key)");
      };
    } catch (org.bouncycastle.openssl.PEMException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage() + " (expected: an unencrypted private key)", e);
    }
  }

  /** One CERTIFICATE REQUEST block; the signature is not checked here. */
  static PKCS10CertificationRequest parseCsr(String pem) {
    Object parsed = readSingle("csr", pem);
    if (parsed instanceof PKCS10CertificationRequest csr) {
      return csr;
    }
    throw new IllegalArgumentException(
        "csr: " + (parsed == null ? "no PEM block" : parsed.getClass().getSimpleName())
            + " (expected: a PEM CERTIFICATE REQUEST)");
  }

  private static Object readSingle(String field, String pem) {
    if (pem == null) {
      throw new IllegalArgumentException(field + ": null (expected: PEM text)");
    }
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      return parser.readObject();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(field + ": unreadable PEM, " + e.getMessage() + " (expected: PEM text)", e);
    }
  }
}
