package io.meshwork.proxy.tls;

/** What an inbound port accepts from peers (Istio PeerAuthentication.MutualTLS.Mode, UNSET resolved away). */
public enum PeerMode {
  /** Mutual TLS only; a plaintext connection is closed. */
  STRICT,
  /** Mutual TLS and plaintext on the same port, told apart by the first bytes. */
  PERMISSIVE,
  /** Plaintext only: the bytes are never treated as TLS. */
  DISABLE
}
