package io.meshwork.proxy.tls;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.UpstreamTls;
import io.meshwork.proxy.tcp.StreamTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;

/**
 * Opaque streams to mesh workloads over mutual TLS, by the same rule as HTTP to them: a cluster whose
 * traffic is ISTIO_MUTUAL (explicitly, or automatically toward endpoints labelled
 * {@code security.istio.io/tlsMode: istio}) gets a handshake with the workload's SVID, offering only
 * {@link MeshTls#TUNNEL_PROTOCOL}, so the far sidecar knows to splice the bytes to its app. Other TLS
 * settings (a DestinationRule's SIMPLE or MUTUAL toward an external host) are left to the app, which
 * speaks its own TLS through a tunnel. Without an identity (a standalone sidecar) streams stay
 * plaintext, as HTTP does; with one whose certificate is missing, the handshake fails closed.
 */
public final class MeshStreamTls implements StreamTls {
  private final MeshTls mesh;

  /** @param mesh the workload's TLS contexts, or null when the sidecar has no identity */
  public MeshStreamTls(MeshTls mesh) {
    this.mesh = mesh;
  }

  @Override
  public SslHandler handler(Cluster cluster, Endpoint endpoint, ByteBufAllocator alloc) {
    if (mesh == null || !(cluster.tls() instanceof UpstreamTls.IstioMutual mutual) || !mutual.appliesTo(endpoint)) {
      return null;
    }
    return mesh.tunnelClient(OutboundTls.spiffeIds(mutual)).newHandler(alloc);
  }

  @Override
  public String protocol() {
    return MeshTls.TUNNEL_PROTOCOL;
  }
}
