package io.meshwork.proxy.tls;

import io.netty.channel.Channel;
import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.tcp.StreamFraming;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound port's TLS by PeerAuthentication: picks the mode for each new connection from the
 * current policy (so a snapshot swap applies to new connections) and counts what it refuses.
 */
public final class InboundTls {
  private static final Logger log = LoggerFactory.getLogger(InboundTls.class);

  private final Supplier<MtlsPolicy> policy;
  private final MeshTls tls;
  private final int appPort;
  private final AtomicLong refusedPlaintext = new AtomicLong();
  private final AtomicLong failedHandshakes = new AtomicLong();
  private final AtomicLong peers = new AtomicLong();
  private final AtomicLong refusedNoIdentity = new AtomicLong();
  private final AtomicLong tunnels = new AtomicLong();
  private final TunnelAcceptor tunnelAcceptor;
  /** The mode last warned about while the sidecar had no identity, or null while it has one. */
  private volatile PeerMode noIdentityNoted;

  /**
   * @param policy the current snapshot's policy
   * @param tls the workload's contexts, or null when the sidecar has no identity (a standalone
   *     sidecar without certificate files): then STRICT refuses every connection and PERMISSIVE
   *     is plaintext only, as DISABLE
   * @param appPort the local application's port, which {@code portLevelMtls} may name as Istio does;
   *     -1 for none
   */
  public InboundTls(Supplier<MtlsPolicy> policy, MeshTls tls, int appPort) {
    this(policy, tls, appPort, null);
  }

  /**
   * @param tunnels takes the opaque streams peers open with ALPN {@link MeshTls#TUNNEL_PROTOCOL}; null refuses them
   */
  public InboundTls(Supplier<MtlsPolicy> policy, MeshTls tls, int appPort, TunnelAcceptor tunnels) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.tls = tls;
    this.appPort = appPort;
    this.tunnelAcceptor = tunnels;
  }

  /**
   * The first handler of a new inbound connection; it removes itself once the mode is settled.
   * Without a usable certificate the port fails closed: STRICT refuses plaintext and TLS alike, and
   * PERMISSIVE takes plaintext only (AuthorizationPolicy rules that need a principal then deny, since
   * a plaintext peer has none).
   */
  public ChannelHandler newHandler(Channel ch) {
    int port = ch.localAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
    PeerMode mode = policy.get().modeFor(port, appPort);
    boolean credentials = tls != null && tls.hasCredentials();
    if (credentials || mode == PeerMode.DISABLE) {
      noIdentityNoted = null;
    } else if (noIdentityNoted != mode) {
      noIdentityNoted = mode;
      noteMissingIdentity(port, mode);
    }
    // A sidecar meant to run without an identity takes PERMISSIVE as plaintext, with no detection.
    PeerMode effective = tls == null && mode == PeerMode.PERMISSIVE ? PeerMode.DISABLE : mode;
    return new PeerModeHandler(this, effective, credentials);
  }

  private void noteMissingIdentity(int port, PeerMode mode) {
    if (tls == null && mode == PeerMode.PERMISSIVE) {
      log.info("inbound port {}: PeerAuthentication mode PERMISSIVE and the sidecar has no workload identity (no"
          + " certificate files given); accepting plaintext only", port);
      return;
    }
    String why = tls == null ? "the sidecar has no workload identity (no certificate files given)"
        : tls.identity().missing().orElse("no workload identity");
    log.warn("inbound port {}: PeerAuthentication mode {} but {}; {}", port, mode, why, mode == PeerMode.STRICT
        ? "refusing every connection" + (tls == null ? "" : " until a certificate arrives")
        : "accepting plaintext only, mutual TLS connections are refused until a certificate arrives");
  }

  /** Plaintext connections closed because the port is STRICT. */
  public long refusedPlaintext() {
    return refusedPlaintext.get();
  }

  /** Handshakes that failed (no client certificate, untrusted or invalid SVID, protocol errors). */
  public long failedHandshakes() {
    return failedHandshakes.get();
  }

  /** Mutual-TLS connections accepted with a valid peer SVID. */
  public long mutualTlsConnections() {
    return peers.get();
  }

  /** TLS connections refused because the sidecar had no certificate to answer them with. */
  public long refusedWithoutIdentity() {
    return refusedNoIdentity.get();
  }

  /** Opaque streams peers opened over mutual TLS (ALPN {@link MeshTls#TUNNEL_PROTOCOL}), handed to the acceptor. */
  public long tunnels() {
    return tunnels.get();
  }

  MeshTls tls() {
    return tls;
  }

  /**
   * Turns a verified connection that asked for the tunnel protocol into an opaque stream: the HTTP handlers behind
   * {@code ctx} go (the stream's bytes are the app's own), then the acceptor takes the channel.
   */
  void tunnel(ChannelHandlerContext ctx, SpiffeId peer) {
    Channel ch = ctx.channel();
    ch.config().setAutoRead(false);
    ChannelPipeline pipeline = ctx.pipeline();
    List<String> names = pipeline.names();
    for (String name : names.subList(names.indexOf(ctx.name()) + 1, names.size())) {
      if (pipeline.context(name) != null) {
        pipeline.remove(name);
      }
    }
    pipeline.remove(ctx.handler());
    StreamFraming.install(pipeline);
    if (tunnelAcceptor == null) {
      log.debug("inbound: tunnel from {} ({}) refused: this port takes no tunnels", ch.remoteAddress(), peer);
      ch.close();
      return;
    }
    tunnels.incrementAndGet();
    tunnelAcceptor.accept(ch, peer);
  }

  void refused(Channel ch) {
    if (refusedPlaintext.getAndIncrement() == 0 || log.isTraceEnabled()) {
      log.debug("inbound: plaintext connection from {} refused: the port requires mutual TLS (PeerAuthentication"
          + " STRICT); further refusals are only counted", ch.remoteAddress());
    }
  }

  void refusedWithoutIdentity(Channel ch) {
    if (refusedNoIdentity.getAndIncrement() == 0 || log.isTraceEnabled()) {
      log.debug("inbound: connection from {} refused: the sidecar has no workload certificate; further refusals"
          + " are only counted", ch.remoteAddress());
    }
  }

  void peerVerified() {
    peers.incrementAndGet();
  }

  void handshakeFailed(Channel ch, Throwable cause) {
    if (failedHandshakes.getAndIncrement() == 0 || log.isTraceEnabled()) {
      log.debug("inbound: TLS handshake from {} failed: {}; further failures are only counted", ch.remoteAddress(),
          cause.getMessage());
    }
  }
}
