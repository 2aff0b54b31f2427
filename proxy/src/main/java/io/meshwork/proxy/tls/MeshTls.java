package io.meshwork.proxy.tls;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.security.MtlsContexts;
import io.meshwork.proxy.security.SvidTrustManager;
import io.meshwork.proxy.security.SvidValidator;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS contexts of the workload's current identity: the inbound server context (ALPN h2,
 * http/1.1 and {@link #TUNNEL_PROTOCOL}, client SVID required) and the outbound ISTIO_MUTUAL client
 * contexts (ALPN h2 or http/1.1 for HTTP, {@link #TUNNEL_PROTOCOL} for opaque streams).
 * Contexts are rebuilt on the identity's renewal thread when the certificate rotates, so an
 * event loop only ever reads a ready context.
 */
public final class MeshTls {
  private static final Logger log = LoggerFactory.getLogger(MeshTls.class);
  private static volatile boolean providerLogged;

  /**
   * The ALPN protocol of an opaque TCP stream between sidecars (a SOCKS5 or CONNECT tunnel to a mesh
   * service): after the handshake the bytes are the app's own, and the far sidecar splices them to its
   * app. The version suffix leaves room for a framed successor.
   */
  public static final String TUNNEL_PROTOCOL = "meshwork-tcp/1";

  private record ClientKey(Set<SpiffeId> peers, String protocol) {}

  private record Generation(WorkloadCredentials credentials, SvidValidator validator, SslContext server,
      Map<ClientKey, SslContext> clients) {}

  private final WorkloadIdentity identity;
  private volatile Generation generation;

  private MeshTls(WorkloadIdentity identity) {
    this.identity = identity;
    WorkloadCredentials first = identity.current();
    this.generation = first == null ? null : build(first);
    identity.onChange(next -> {
      try {
        generation = build(next);
      } catch (IllegalStateException e) {
        log.warn("workload identity {}: new TLS contexts failed, keeping the previous ones", next.id(), e);
      }
    });
  }

  /** Contexts that follow {@code identity}'s rotations. */
  public static MeshTls of(WorkloadIdentity identity) {
    logProviderOnce();
    return new MeshTls(identity);
  }

  public WorkloadIdentity identity() {
    return identity;
  }

  /**
   * Whether the workload has a certificate to offer. Without one (the first certificate has not
   * come, or it expired) the sidecar fails closed: inbound TLS is refused, outbound mutual TLS fails.
   */
  public boolean hasCredentials() {
    return generation != null && identity.missing().isEmpty();
  }

  /** The inbound context of the current certificate; only when {@link #hasCredentials()}. */
  public SslContext server() {
    return generation.server();
  }

  /** Validates peers' SVIDs against the current trust bundle; only when {@link #hasCredentials()}. */
  public SvidValidator validator() {
    return generation.validator();
  }

  /**
   * The outbound context of the current certificate.
   *
   * @param acceptedPeers the SPIFFE IDs the server may have (DestinationRule subjectAltNames);
   *     empty accepts any SVID of the trust domain
   * @param http2 offer ALPN h2 (multiplexed requests) rather than http/1.1 (protocol upgrades)
   */
  public SslContext client(Set<SpiffeId> acceptedPeers, boolean http2) {
    Generation g = generation;
    if (g == null || identity.missing().isPresent()) {
      // Fail closed: never downgrade ISTIO_MUTUAL to plaintext; the handshake fails before any byte of the request.
      return NoIdentity.CLIENT;
    }
    return client(g, acceptedPeers, http2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1);
  }

  /**
   * The outbound context of an opaque stream to a peer sidecar (ALPN {@link #TUNNEL_PROTOCOL} only), failing closed
   * as {@link #client(Set, boolean)} does.
   */
  public SslContext tunnelClient(Set<SpiffeId> acceptedPeers) {
    Generation g = generation;
    if (g == null || identity.missing().isPresent()) {
      return NoIdentity.CLIENT;
    }
    return client(g, acceptedPeers, TUNNEL_PROTOCOL);
  }

  private static SslContext client(Generation g, Set<SpiffeId> acceptedPeers, String protocol) {
    return g.clients().computeIfAbsent(new ClientKey(acceptedPeers, protocol), key -> newClient(g, key));
  }

  private static Generation build(WorkloadCredentials credentials) {
    SvidValidator validator = new SvidValidator(credentials.bundle(), credentials.id().trustDomain(), Clock.systemUTC());
    try {
      SslContext server = MtlsContexts.server(credentials.key(), credentials.chain(),
          SvidTrustManager.anyPeer(validator), ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1,
          TUNNEL_PROTOCOL);
      Generation g = new Generation(credentials, validator, server, new ConcurrentHashMap<>());
      for (String protocol : new String[] {ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1}) {
        ClientKey key = new ClientKey(Set.of(), protocol);
        g.clients().put(key, newClient(g, key));
      }
      return g;
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build TLS contexts for " + credentials.id() + ": " + e.getMessage(), e);
    }
  }

  private static SslContext newClient(Generation g, ClientKey key) {
    Set<SpiffeId> peers = key.peers();
    SvidTrustManager trust = peers.isEmpty() ? SvidTrustManager.anyPeer(g.validator())
        : new SvidTrustManager(g.validator(), peers::contains);
    try {
      return MtlsContexts.client(g.credentials().key(), g.credentials().chain(), trust, key.protocol());
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build a TLS client context for " + g.credentials().id(), e);
    }
  }

  private static void logProviderOnce() {
    if (!providerLogged) {
      providerLogged = true;
      if (OpenSsl.isAvailable()) {
        log.info("mutual TLS: BoringSSL {} through netty-tcnative", OpenSsl.versionString());
      } else {
        log.warn("mutual TLS: netty-tcnative unavailable ({}); using the JDK provider",
            Optional.ofNullable(OpenSsl.unavailabilityCause()).map(Throwable::getMessage).orElse("unknown"));
      }
    }
  }
}
