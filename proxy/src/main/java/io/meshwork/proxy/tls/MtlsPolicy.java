package io.meshwork.proxy.tls;

/**
 * How the local workload's inbound port treats TLS from peers, compiled from PeerAuthentication.
 * (Placeholder shape: the mutual-TLS work replaces it.)
 */
public record MtlsPolicy() {
  /** No PeerAuthentication: plaintext accepted (Meshwork's behaviour until mTLS is wired). */
  public static final MtlsPolicy DEFAULT = new MtlsPolicy();
}
