package io.meshwork.proxy.discovery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a client proves who it is to the control plane and verifies the control plane in turn.
 *
 * @param bearerToken sent as {@code Authorization: Bearer} (RFC 6750 §2.1): the admin token for the CLI, a join
 *     token for a sidecar; null to send none (a client certificate in {@code tls} may prove the caller instead)
 * @param tls the TLS context for {@code https} URLs (its trust managers verify the control plane; its key managers
 *     may present a workload certificate); null for the JDK's default
 */
public record ControlPlaneAuth(String bearerToken, SSLContext tls) {
  public static final ControlPlaneAuth NONE = new ControlPlaneAuth(null, null);

  public ControlPlaneAuth {
    if (bearerToken != null && (bearerToken.isBlank() || bearerToken.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
      throw new IllegalArgumentException("bearerToken: (hidden) (expected: printable ASCII without spaces)");
    }
  }

  /** A TLS context trusting only the PEM certificates in {@code bundle}, such as the control plane's ca.pem. */
  public static SSLContext trusting(Path bundle) {
    try (InputStream in = Files.newInputStream(bundle)) {
      Collection<? extends Certificate> roots = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (roots.isEmpty()) {
        throw new IllegalArgumentException("bundle: " + bundle + " (expected: PEM certificates)");
      }
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (Certificate root : roots) {
        trust.setCertificateEntry("root-" + i++, root);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new IllegalArgumentException("bundle: " + bundle + " (expected: a readable PEM file; " + e.getMessage()
          + ")", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("bundle: " + bundle + " (expected: PEM certificates; " + e.getMessage()
          + ")", e);
    }
  }

  @Override
  public String toString() {
    return "ControlPlaneAuth[bearerToken=" + (bearerToken == null ? "none" : "(hidden)") + ", tls="
        + (tls == null ? "default" : "custom") + "]";
  }
}
