package io.meshwork.control.tls;

import io.meshwork.control.ca.CertificateAuthority;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.X509TrustManager;

/**
 * Accepts a client certificate that chains to a root of the CA's current trust bundle (RFC 5280 §6 path
 * validation), read at each handshake so a rotated or pruned root takes effect on the next connection. Revocation
 * is not checked: leaves live 24 hours, which is what stands in for revocation in SPIFFE meshes.
 */
final class BundleTrustManager implements X509TrustManager {
  private final CertificateAuthority ca;
  private final Clock clock;

  BundleTrustManager(CertificateAuthority ca, Clock clock) {
    this.ca = ca;
    this.clock = clock;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("client certificate: none (expected: an X.509-SVID)");
    }
    List<X509Certificate> roots = ca.trustBundle().roots();
    Set<TrustAnchor> anchors = roots.stream().map(r -> new TrustAnchor(r, null)).collect(Collectors.toSet());
    List<X509Certificate> path = Arrays.stream(chain).filter(c -> !roots.contains(c)).toList();
    try {
      PKIXParameters parameters = new PKIXParameters(anchors);
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(clock.instant()));
      CertPathValidator.getInstance("PKIX").validate(
          CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
    } catch (GeneralSecurityException e) {
      throw new CertificateException("client certificate: " + e.getMessage()
          + " (expected: a certificate issued by this mesh's CA)", e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("this trust manager only checks clients");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return ca.trustBundle().roots().toArray(X509Certificate[]::new);
  }
}
