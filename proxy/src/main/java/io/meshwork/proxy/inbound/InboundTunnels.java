package io.meshwork.proxy.inbound;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.config.ServiceTarget;
import io.meshwork.proxy.policy.InboundPolicy;
import io.meshwork.proxy.security.authz.AuthzDecision;
import io.meshwork.proxy.security.authz.RequestAttributes;
import io.meshwork.proxy.tcp.StreamFraming;
import io.meshwork.proxy.tcp.TcpConnector;
import io.meshwork.proxy.tcp.TcpRelay;
import io.meshwork.proxy.tcp.UpstreamConnection;
import io.meshwork.proxy.tls.TunnelAcceptor;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The far end of a tunnel: an opaque stream a peer sidecar opened over mutual TLS is authorized as a
 * TCP connection and spliced to the local application's port.
 *
 * <p>Authorization follows Istio's rules for TCP: the peer's principal and namespace, addresses and
 * ports are matched; HTTP-only fields make a DENY rule broader and an ALLOW rule unmatched. A workload
 * whose policies require an API key, or whose policies could not be compiled, takes no tunnel, since a
 * stream cannot present a key and a broken policy denies everything. Bytes the peer sends before the
 * application's connection opens are held and go first.
 */
public final class InboundTunnels implements TunnelAcceptor {
  private static final Logger log = LoggerFactory.getLogger(InboundTunnels.class);
  /** How long a tunnel may carry no byte either way (Istio's TCP idle timeout, 1 h). */
  static final Duration IDLE_TIMEOUT = Duration.ofHours(1);

  private final Supplier<InboundPolicy> policies;
  private final InetSocketAddress app;
  private final TcpConnector connector;
  private final AtomicLong spliced = new AtomicLong();
  private final AtomicLong denied = new AtomicLong();
  private final AtomicLong appUnreachable = new AtomicLong();

  /**
   * @param policies the current snapshot's inbound policy
   * @param app the local application's address
   * @param connector opens the application's connection on the tunnel's event loop
   */
  public InboundTunnels(Supplier<InboundPolicy> policies, InetSocketAddress app, TcpConnector connector) {
    this.policies = policies;
    this.app = app;
    this.connector = connector;
  }

  @Override
  public void accept(Channel channel, SpiffeId peer) {
    InboundPolicy policy = policies.get();
    String refusal = refusal(policy == null ? InboundPolicy.ALLOW_ALL : policy, channel, peer);
    if (refusal != null) {
      if (denied.getAndIncrement() == 0 || log.isTraceEnabled()) {
        log.info("inbound: tunnel from {} ({}) refused: {}; further refusals are only counted", peer.principal(),
            channel.remoteAddress(), refusal);
      }
      channel.close();
      return;
    }
    Held held = new Held();
    channel.pipeline().addLast(held);
    channel.config().setAutoRead(true);
    connector.connect(channel.eventLoop(), new ServiceTarget.OriginalDestination(app, "inbound"), result -> {
      switch (result) {
        case UpstreamConnection.Connected c -> {
          if (!channel.isActive()) {
            c.channel().close();
            return;
          }
          channel.config().setAutoRead(false);
          boolean finished = held.handOver(c.channel());
          channel.pipeline().remove(held);
          spliced.incrementAndGet();
          TcpRelay.splice(channel, c.channel(), IDLE_TIMEOUT);
          if (finished) {
            channel.pipeline().fireChannelRead(StreamFraming.FIN);
          }
        }
        case UpstreamConnection.Failed f -> {
          if (appUnreachable.getAndIncrement() == 0 || log.isTraceEnabled()) {
            log.warn("inbound: tunnel from {}: the application at {} is unreachable: {}; further failures are only"
                + " counted", peer.principal(), app, f.detail());
          }
          channel.close();
        }
      }
    });
  }

  /** Why the policy refuses this stream, or null when it is allowed. */
  private static String refusal(InboundPolicy policy, Channel channel, SpiffeId peer) {
    if (policy.brokenReason() != null) {
      return "a policy for this workload could not be compiled (" + policy.brokenReason() + ")";
    }
    if (policy.apiKeys().required()) {
      return "the workload requires an API key, which a tunnel cannot present";
    }
    if (!policy.authorizes()) {
      return null;
    }
    RequestAttributes connection = RequestAttributes.builder()
        .sourcePrincipal(peer.principal())
        .sourceNamespace(peer.namespace().orElse(null))
        .sourceIp(address(channel.remoteAddress()))
        .destinationIp(address(channel.localAddress()))
        .destinationPort(channel.localAddress() instanceof InetSocketAddress local ? local.getPort() : 0)
        .build();
    AuthzDecision decision = policy.authz().evaluateConnection(connection);
    return decision.allowed() ? null : "RBAC: " + decision.describe();
  }

  private static InetAddress address(SocketAddress address) {
    return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }

  /** Tunnels spliced to the application, refused by policy, and lost because the application did not answer. */
  public Map<String, Long> counters() {
    return Map.of("spliced", spliced.get(), "denied", denied.get(), "appUnreachable", appUnreachable.get());
  }

  /** Holds what the peer sends while the application's connection opens. */
  private static final class Held extends ChannelInboundHandlerAdapter {
    private final ArrayDeque<ByteBuf> bytes = new ArrayDeque<>();
    private boolean inputShutdown;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg == StreamFraming.FIN) {
        inputShutdown = true;
      } else if (msg instanceof ByteBuf buf) {
        bytes.add(buf);
        if (bytes.size() > 64) {
          // The application has not answered for a while and the peer keeps sending: stop reading.
          ctx.channel().config().setAutoRead(false);
        }
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      bytes.forEach(ReferenceCountUtil::release);
      bytes.clear();
    }

    /** Writes what is held to {@code upstream} and tells whether the peer already sent FIN. */
    boolean handOver(Channel upstream) {
      ByteBuf buf;
      while ((buf = bytes.poll()) != null) {
        upstream.write(buf, upstream.voidPromise());
      }
      upstream.flush();
      return inputShutdown;
    }
  }
}
