package io.meshwork.proxy.tls;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.UpstreamTls;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.upstream.UpstreamTlsSource;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound TLS of a sidecar: for each endpoint address, the settings of the cluster it belongs
 * to in the current snapshot (indexed once per snapshot), and the client handler for a new
 * connection. ISTIO_MUTUAL uses the workload's SVID; without an identity (standalone mode) mesh
 * traffic stays plaintext, which is noted once.
 */
public final class OutboundTls implements UpstreamTlsSource {
  private static final Logger log = LoggerFactory.getLogger(OutboundTls.class);

  private record Index(MeshSnapshot snapshot, Map<InetSocketAddress, UpstreamTls> byAddress) {}

  private final Supplier<MeshSnapshot> snapshots;
  private final MeshTls mesh;
  private final ExternalTlsContexts external = new ExternalTlsContexts();
  private volatile Index index;
  private volatile boolean plaintextNoted;

  /**
   * @param mesh the workload's TLS contexts, or null when the sidecar has no identity
   */
  public OutboundTls(Supplier<MeshSnapshot> snapshots, MeshTls mesh) {
    this.snapshots = snapshots;
    this.mesh = mesh;
  }

  @Override
  public UpstreamTls tlsFor(InetSocketAddress address) {
    MeshSnapshot snapshot = snapshots.get();
    if (snapshot == null) {
      return UpstreamTls.PLAINTEXT;
    }
    Index i = index;
    if (i == null || i.snapshot() != snapshot) {
      i = new Index(snapshot, byAddress(snapshot));
      index = i;
    }
    UpstreamTls tls = i.byAddress().getOrDefault(address, UpstreamTls.PLAINTEXT);
    if (tls instanceof UpstreamTls.IstioMutual && mesh == null) {
      if (!plaintextNoted) {
        plaintextNoted = true;
        log.info("outbound: the sidecar has no workload identity; traffic to mesh workloads stays plaintext");
      }
      return UpstreamTls.PLAINTEXT;
    }
    return tls;
  }

  @Override
  public SslHandler newHandler(UpstreamTls tls, boolean http2, InetSocketAddress address, ByteBufAllocator alloc) {
    return switch (tls) {
      case UpstreamTls.Plaintext p -> null;
      case UpstreamTls.IstioMutual m when mesh == null -> null;
      case UpstreamTls.IstioMutual m -> mesh.client(spiffeIds(m), http2).newHandler(alloc);
      case UpstreamTls.Simple s -> external.context(s, http2)
          .newHandler(alloc, peerHost(s.sni(), address), address.getPort());
      case UpstreamTls.Mutual m -> external.context(m, http2)
          .newHandler(alloc, peerHost(m.sni(), address), address.getPort());
    };
  }

  /**
   * An address that several clusters share gets the first cluster's settings. Auto-mTLS (Istio)
   * applies to endpoints labelled {@code security.istio.io/tlsMode: istio} only: a workload without
   * a sidecar, or whose sidecar has no certificate, is reached in plaintext.
   */
  private static Map<InetSocketAddress, UpstreamTls> byAddress(MeshSnapshot snapshot) {
    Map<InetSocketAddress, UpstreamTls> out = new HashMap<>();
    for (Cluster cluster : snapshot.clusters().values()) {
      UpstreamTls tls = cluster.tls();
      if (tls instanceof UpstreamTls.Plaintext) {
        continue;
      }
      for (Endpoint endpoint : cluster.endpoints()) {
        boolean optedOut = tls instanceof UpstreamTls.IstioMutual m && !m.appliesTo(endpoint);
        out.putIfAbsent(endpoint.address(), optedOut ? UpstreamTls.PLAINTEXT : tls);
      }
    }
    return out;
  }

  static Set<SpiffeId> spiffeIds(UpstreamTls.IstioMutual m) {
    Set<SpiffeId> ids = new LinkedHashSet<>();
    for (String san : m.subjectAltNames()) {
      if (SpiffeId.parse(san) instanceof SpiffeId.Valid valid) {
        ids.add(valid.id());
      }
    }
    return Set.copyOf(ids);
  }

  private static String peerHost(String sni, InetSocketAddress address) {
    return sni != null && !sni.isBlank() ? sni : address.getHostString();
  }
}
