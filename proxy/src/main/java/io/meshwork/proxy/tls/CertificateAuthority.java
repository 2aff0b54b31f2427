package io.meshwork.proxy.tls;

import io.meshwork.proxy.security.TrustAnchors;
import io.meshwork.proxy.security.WorkloadCsr;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where a workload gets its certificates: the control plane's CA in a mesh. Calls block; the
 * renewing {@link WorkloadIdentity} makes them on its own thread, never on an event loop.
 */
public interface CertificateAuthority {

  /** A signed chain (leaf first) and the trust bundle current when it was signed. */
  record Issued(List<X509Certificate> chain, TrustAnchors bundle) {
    public Issued {
      chain = List.copyOf(chain);
    }
  }

  /** A trust bundle and its entity tag (RFC 9110 §8.8.3), for conditional polling. */
  record Bundle(TrustAnchors anchors, String etag) {}

  /**
   * Signs {@code csr}.
   *
   * @param current the credentials being renewed, or null on first issuance
   */
  Issued issue(WorkloadCsr csr, Duration ttl, WorkloadCredentials current) throws IOException;

  /** The trust bundle, or empty when it still has entity tag {@code etag} (null: always fetch). */
  Optional<Bundle> trustBundle(String etag) throws IOException;
}
