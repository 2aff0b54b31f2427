package io.meshwork.proxy.security;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The roots a sidecar trusts for peer SVIDs: the CA's trust bundle as received. Holds several
 * roots during a root rotation.
 */
public record TrustAnchors(List<X509Certificate> roots) {
  public TrustAnchors {
    roots = List.copyOf(roots);
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("roots: [] (expected: at least one root certificate)");
    }
    for (X509Certificate root : roots) {
      if (root.getBasicConstraints() < 0) {
        throw new IllegalArgumentException("roots: " + root.getSubjectX500Principal()
            + " is not a CA (expected: CA certificates)");
      }
    }
  }

  /** Concatenated PEM CERTIFICATE blocks. */
  public static TrustAnchors fromPem(String pem) {
    if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException("trust bundle: no CERTIFICATE block (expected: PEM certificates)");
    }
    try {
      return new TrustAnchors(CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .stream().map(X509Certificate.class::cast).toList());
    } catch (CertificateException e) {
      throw new IllegalArgumentException("trust bundle: " + e.getMessage() + " (expected: PEM certificates)", e);
    }
  }

  Set<TrustAnchor> asPkixAnchors() {
    return roots.stream().map(root -> new TrustAnchor(root, null)).collect(Collectors.toUnmodifiableSet());
  }

  boolean isAnchor(X509Certificate certificate) {
    return roots.contains(certificate);
  }
}
