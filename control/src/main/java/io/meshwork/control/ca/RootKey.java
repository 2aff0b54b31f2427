package io.meshwork.control.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;

/** A root certificate with its private key: what signs leaves. Never leaves the CA. */
record RootKey(X509Certificate certificate, PrivateKey privateKey) {

  /** JCA signature algorithm matching the key: SHA-384 for P-384, SHA-256 otherwise. */
  String signatureAlgorithm() {
    return switch (privateKey) {
      case ECPrivateKey ec -> ec.getParams().getOrder().bitLength() > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
      case RSAPrivateKey rsa -> "SHA256withRSA";
      default -> throw new IllegalStateException("root key: " + privateKey.getAlgorithm() + " (expected: EC or RSA)");
    };
  }

  String fingerprint() {
    return TrustBundle.fingerprint(certificate);
  }
}
