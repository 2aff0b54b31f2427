package io.meshwork.control.ca;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The root certificates a peer trusts, newest first. During a root rotation the bundle holds the
 * new and the old root, so leaves signed by either verify (SPIFFE Trust Domain and Bundle §4).
 */
public record TrustBundle(List<X509Certificate> roots) {
  public TrustBundle {
    roots = List.copyOf(roots);
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("roots: [] (expected: at least one root certificate)");
    }
  }

  /** Parses concatenated PEM CERTIFICATE blocks. */
  public static TrustBundle fromPem(String pem) {
    return new TrustBundle(PemCodec.parseCertificates("trust bundle", pem));
  }

  public String toPem() {
    return PemCodec.certificates(roots);
  }

  public X509Certificate newest() {
    return roots.get(0);
  }

  public boolean contains(X509Certificate root) {
    return roots.contains(root);
  }

  /** A bundle with {@code root} first, followed by the current roots. */
  TrustBundle withNewest(X509Certificate root) {
    List<X509Certificate> next = new ArrayList<>();
    next.add(root);
    roots.stream().filter(r -> !r.equals(root)).forEach(next::add);
    return new TrustBundle(next);
  }

  /** A bundle that also trusts {@code root}, after the current roots: trusted, not yet signing. */
  TrustBundle withAdded(X509Certificate root) {
    List<X509Certificate> next = new ArrayList<>(roots);
    if (!next.contains(root)) {
      next.add(root);
    }
    return new TrustBundle(next);
  }

  TrustBundle without(X509Certificate root) {
    return new TrustBundle(roots.stream().filter(r -> !r.equals(root)).toList());
  }

  /** Lower-case hex SHA-256 of the DER encoding: a stable name for a root. */
  public static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint certificate", e);
    }
  }
}
