package io.meshwork.control.ca;

import io.meshwork.control.ca.IssuanceException.Reason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * A PKCS#10 request (RFC 2986) whose self-signature verified and whose key the mesh accepts:
 * EC P-256 or P-384, or RSA of at least 2048 bits.
 *
 * @param publicKey the key to certify
 * @param rsa true for RSA keys, which also get keyEncipherment (X.509-SVID §4.3)
 * @param requestedUris the URI SANs the request asks for; never copied into the leaf
 */
record SigningRequest(SubjectPublicKeyInfo publicKey, boolean rsa, List<String> requestedUris) {
  static final int MIN_RSA_BITS = 2048;
  /** Bounds the work an unauthenticated caller can cause with a huge request. */
  static final int MAX_PEM_LENGTH = 16 * 1024;

  static SigningRequest verify(String csrPem) {
    if (csrPem != null && csrPem.length() > MAX_PEM_LENGTH) {
      throw new IssuanceException(Reason.MALFORMED_CSR,
          "csr: " + csrPem.length() + " characters (expected: <= " + MAX_PEM_LENGTH + ")");
    }
    PKCS10CertificationRequest csr;
    try {
      csr = PemCodec.parseCsr(csrPem);
    } catch (IllegalArgumentException e) {
      throw new IssuanceException(Reason.MALFORMED_CSR, e.getMessage(), e);
    }
    SubjectPublicKeyInfo key = csr.getSubjectPublicKeyInfo();
    boolean rsa = checkKey(key);
    try {
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new IssuanceException(Reason.BAD_CSR_SIGNATURE,
            "csr: signature does not verify (expected: signed by the key it carries)");
      }
    } catch (OperatorCreationException | PKCSException e) {
      throw new IssuanceException(Reason.BAD_CSR_SIGNATURE,
          "csr: signature unverifiable, " + e.getMessage() + " (expected: signed by the key it carries)", e);
    }
    return new SigningRequest(key, rsa, requestedUris(csr));
  }

  private static boolean checkKey(SubjectPublicKeyInfo key) {
    AlgorithmIdentifier algorithm = key.getAlgorithm();
    ASN1ObjectIdentifier oid = algorithm.getAlgorithm();
    if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      var curve = algorithm.getParameters();
      if (SECObjectIdentifiers.secp256r1.equals(curve) || SECObjectIdentifiers.secp384r1.equals(curve)) {
        return false;
      }
      throw new IssuanceException(Reason.UNSUPPORTED_KEY,
          "csr key: EC curve " + curve + " (expected: P-256 or P-384)");
    }
    if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      int bits;
      try {
        bits = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(key.parsePublicKey()).getModulus().bitLength();
      } catch (IOException | IllegalArgumentException e) {
        throw new IssuanceException(Reason.UNSUPPORTED_KEY, "csr key: malformed RSA key (expected: RSA >= 2048 bits)", e);
      }
      if (bits < MIN_RSA_BITS) {
        throw new IssuanceException(Reason.UNSUPPORTED_KEY,
            "csr key: RSA " + bits + " bits (expected: >= " + MIN_RSA_BITS + ")");
      }
      return true;
    }
    throw new IssuanceException(Reason.UNSUPPORTED_KEY,
        "csr key: algorithm " + oid + " (expected: EC P-256, EC P-384 or RSA >= 2048)");
  }

  private static List<String> requestedUris(PKCS10CertificationRequest csr) {
    List<String> uris = new ArrayList<>();
    for (var attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      for (var value : attribute.getAttrValues()) {
        Extensions extensions = Extensions.getInstance(value);
        GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        if (names == null) {
          continue;
        }
        for (GeneralName name : names.getNames()) {
          if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
            uris.add(name.getName().toString());
          }
        }
      }
    }
    return List.copyOf(uris);
  }
}
