package io.meshwork.proxy.tls;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.security.TrustAnchors;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One generation of the workload's X.509-SVID: its key, its certificate chain (leaf first) and the
 * trust bundle that peers' SVIDs must chain to.
 */
public record WorkloadCredentials(SpiffeId id, PrivateKey key, List<X509Certificate> chain, TrustAnchors bundle) {
  public WorkloadCredentials {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(bundle, "bundle");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain: [] (expected: the leaf certificate first)");
    }
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  public Instant notBefore() {
    return leaf().getNotBefore().toInstant();
  }

  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  public Duration lifetime() {
    return Duration.between(notBefore(), notAfter());
  }

  /** The same certificate under another trust bundle (a root rotation). */
  public WorkloadCredentials withBundle(TrustAnchors newBundle) {
    return new WorkloadCredentials(id, key, chain, newBundle);
  }

  @Override
  public String toString() {
    return "WorkloadCredentials[id=" + id + ", serial=" + leaf().getSerialNumber().toString(16)
        + ", notAfter=" + notAfter() + "]";
  }
}
