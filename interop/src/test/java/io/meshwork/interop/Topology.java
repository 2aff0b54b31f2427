package io.meshwork.interop;

/** Where the interop client's traffic goes on its way to grpc-java's TestServiceServer. */
enum Topology {
  /** Client straight to the server: which cases the server itself supports. */
  DIRECT,
  /** One sidecar in standalone file mode, the client on its upstream port. */
  ONE_SIDECAR,
  /** Two sidecars of a control plane's mesh, mutual TLS between them (PeerAuthentication STRICT). */
  MTLS_MESH
}
