package io.meshwork.proxy.egress;

import io.meshwork.proxy.admission.CircuitBreaker;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.cluster.LoadBalancer;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.cluster.UpstreamTls;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.ServiceTarget;
import io.meshwork.proxy.egress.EgressCounters.Outcome;
import io.meshwork.proxy.forward.Egress;
import io.meshwork.proxy.forward.RequestUris;
import io.meshwork.proxy.forward.Target;
import io.meshwork.proxy.http.ProxyError;
import io.meshwork.proxy.outbound.ProxyPortTargets;
import io.meshwork.proxy.retry.RetryOn;
import io.meshwork.proxy.retry.RetryPolicy;
import io.meshwork.proxy.route.HeaderOps;
import io.meshwork.proxy.route.Route;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.route.RouteDecision;
import io.meshwork.proxy.tcp.ConnectFailure;
import io.meshwork.proxy.tcp.TcpConnector;
import io.meshwork.proxy.tcp.TcpTraffic;
import io.meshwork.proxy.tcp.UpstreamConnection;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The HTTP proxy port's egress: Istio's {@code outboundTrafficPolicy} for hosts outside the registry,
 * and CONNECT tunnels.
 *
 * <p>A plain HTTP request for a host that is no mesh service and no ServiceEntry host goes, under
 * ALLOW_ANY, to the host the caller named (Istio's PassthroughCluster): the name is resolved off the
 * event loop, and the request runs on a route of its own with one endpoint, the resolved address, in
 * plaintext, tried once more only when the connection fails. Under REGISTRY_ONLY it is answered 502
 * naming the host (Istio's BlackHoleCluster). Only proxy requests (absolute-form, as HTTP_PROXY
 * clients send them, RFC 9112 §3.2.2) pass through: an origin-form request is addressed to the
 * sidecar itself, and its Host or Dapr app id names a mesh service or nothing, so a Host header
 * relayed from elsewhere never turns the sidecar into an open forwarder.
 *
 * <p>A CONNECT to a registry host is opened as the SOCKS5 port opens its streams (the same service
 * directory: balanced over the service's instances, ServiceEntry hosts on their declared ports);
 * any other host follows the outbound traffic policy. Nothing reaches the sidecar's own ports.
 */
public final class ProxyPortEgress implements Egress {
  /** Envoy's name for the cluster of traffic to hosts outside the registry. */
  public static final String PASSTHROUGH_CLUSTER = "PassthroughCluster";
  private static final RetryPolicy CONNECT_FAILURE_ONCE = new RetryPolicy(1, Duration.ZERO,
      Set.of(RetryOn.CONNECT_FAILURE), Set.of(), RetryPolicy.DEFAULT_BASE_INTERVAL,
      RetryPolicy.DEFAULT_BASE_INTERVAL.multipliedBy(10));
  private static final LoadBalancer ONLY = (endpoints, request) -> endpoints.getFirst();

  private final Supplier<MeshSnapshot> snapshots;
  private final Supplier<OutboundTrafficPolicy> override;
  private final TcpConnector connector;
  private final OwnPorts own;
  private final EgressCounters counters;
  private final TcpTraffic.PerCluster traffic;
  private final CircuitBreaker passthroughBreaker = CircuitBreaker.unlimited();

  /**
   * @param snapshots the current snapshot (its mesh-wide outbound traffic policy and service directory)
   * @param override this sidecar's own policy, which wins over the mesh's; a supplier of null for none
   * @param connector opens tunnel upstreams on the caller's event loop
   * @param own the sidecar's listening sockets, never reached
   */
  public ProxyPortEgress(Supplier<MeshSnapshot> snapshots, Supplier<OutboundTrafficPolicy> override,
      TcpConnector connector, OwnPorts own, EgressCounters counters) {
    this(snapshots, override, connector, own, counters, TcpTraffic.PerCluster.NONE);
  }

  /** @param traffic where CONNECT tunnels report their bytes and lifetime, per cluster (Istio's TCP metrics) */
  public ProxyPortEgress(Supplier<MeshSnapshot> snapshots, Supplier<OutboundTrafficPolicy> override,
      TcpConnector connector, OwnPorts own, EgressCounters counters, TcpTraffic.PerCluster traffic) {
    this.traffic = traffic;
    this.snapshots = snapshots;
    this.override = override;
    this.connector = connector;
    this.own = own;
    this.counters = counters;
  }

  /** The policy in force: this sidecar's, else the current snapshot's, else Istio's default. */
  public OutboundTrafficPolicy policy() {
    OutboundTrafficPolicy mine = override.get();
    if (mine != null) {
      return mine;
    }
    MeshSnapshot s = snapshots.get();
    return s == null ? OutboundTrafficPolicy.DEFAULT : s.outboundTrafficPolicy();
  }

  public EgressCounters counters() {
    return counters;
  }

  /** The policy in force and the counters, as the admin {@code /config} shows them under {@code egress}. */
  public Map<String, Object> view() {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("outboundTrafficPolicy", policy().name());
    out.put("counters", counters.view());
    return out;
  }

  @Override
  public void passthrough(EventLoop loop, HttpRequest request, Target target, Consumer<Passage> outcome) {
    String host = target.host();
    if (!RequestUris.isAbsolute(request.uri()) || request.headers().contains(ProxyPortTargets.DAPR_APP_ID)) {
      outcome.accept(new Refused(ProxyError.UNKNOWN_HOST, "no route for host \"" + host + "\""));
      return;
    }
    if (policy() == OutboundTrafficPolicy.REGISTRY_ONLY) {
      counters.count(Outcome.BLACKHOLE);
      outcome.accept(blackhole(host));
      return;
    }
    int port = target.port() > 0 ? target.port() : 80;
    HostLookups.resolve(loop, host, port, address -> {
      if (address == null) {
        counters.count(Outcome.PASSTHROUGH_UNRESOLVED);
        outcome.accept(unresolved(host));
      } else if (own.contains(address)) {
        counters.count(Outcome.LOOP_REFUSED);
        outcome.accept(loop(host, address));
      } else {
        counters.count(Outcome.PASSTHROUGH);
        outcome.accept(new Through(route(host, address)));
      }
    });
  }

  /** A route of its own for one passthrough request: one cluster, one endpoint, no rewrites. */
  private RouteDecision.Matched route(String host, InetSocketAddress address) {
    Cluster cluster = new Cluster(PASSTHROUGH_CLUSTER, host, "", List.of(new Endpoint(address, Map.of(), 1)), ONLY,
        HashPolicy.NONE, UpstreamProtocol.HTTP1, ConnectionPoolSettings.DEFAULT, UpstreamTls.PLAINTEXT,
        passthroughBreaker, null);
    RouteAction.WeightedCluster destination = new RouteAction.WeightedCluster(cluster, 1, HeaderOps.NONE, HeaderOps.NONE);
    RouteAction.Forward forward = new RouteAction.Forward(List.of(destination), Duration.ZERO, CONNECT_FAILURE_ONCE,
        null, null, HeaderOps.NONE, HeaderOps.NONE);
    return new RouteDecision.Matched(new Route(PASSTHROUGH_CLUSTER, null, forward), cluster, destination, "");
  }

  @Override
  public void tunnel(EventLoop loop, Target target, Consumer<Tunnel> outcome) {
    MeshSnapshot snapshot = snapshots.get();
    String host = target.host();
    int port = target.port();
    if (snapshot == null) {
      counters.count(Outcome.TUNNEL_CONNECT_FAILED);
      outcome.accept(new Refused(ProxyError.UPSTREAM_CONNECT, "no configuration loaded yet; cannot tunnel to "
          + target.authority()));
      return;
    }
    Optional<ServiceTarget> registered = snapshot.services().resolve(host, port);
    if (registered.isPresent()) {
      connect(loop, registered.get(), Outcome.TUNNEL_MESH, target, outcome);
      return;
    }
    if (policy() == OutboundTrafficPolicy.REGISTRY_ONLY) {
      counters.count(Outcome.TUNNEL_BLACKHOLE);
      outcome.accept(blackhole(host));
      return;
    }
    HostLookups.resolve(loop, host, port, address -> {
      if (address == null) {
        counters.count(Outcome.TUNNEL_CONNECT_FAILED);
        outcome.accept(unresolved(host));
      } else if (own.contains(address)) {
        counters.count(Outcome.LOOP_REFUSED);
        outcome.accept(loop(host, address));
      } else {
        connect(loop, new ServiceTarget.OriginalDestination(address, PASSTHROUGH_CLUSTER), Outcome.TUNNEL_PASSTHROUGH,
            target, outcome);
      }
    });
  }

  private void connect(EventLoop loop, ServiceTarget destination, Outcome opened, Target target,
      Consumer<Tunnel> outcome) {
    connector.connect(loop, destination, result -> {
      switch (result) {
        case UpstreamConnection.Connected c -> {
          counters.count(opened);
          String cluster = destination instanceof ServiceTarget.OriginalDestination
              ? PASSTHROUGH_CLUSTER : destination.clusterName();
          outcome.accept(new Opened(c.channel(), cluster, traffic.to(cluster)));
        }
        case UpstreamConnection.Failed f -> {
          counters.count(Outcome.TUNNEL_CONNECT_FAILED);
          outcome.accept(connectFailed(f, target));
        }
      }
    });
  }

  private static Refused connectFailed(UpstreamConnection.Failed f, Target target) {
    String where = target.authority();
    return switch (f.failure()) {
      case NO_ENDPOINT -> new Refused(ProxyError.NO_HEALTHY_UPSTREAM, "no healthy endpoint for \"" + where + "\"");
      case UNKNOWN_HOST -> new Refused(ProxyError.DNS_RESOLUTION_FAILURE, "cannot resolve \"" + target.host() + "\"");
      case TIMED_OUT -> new Refused(ProxyError.UPSTREAM_TIMEOUT, "connection to \"" + where + "\" timed out");
      case REFUSED, HOST_UNREACHABLE, NETWORK_UNREACHABLE, TLS_HANDSHAKE, OTHER -> new Refused(ProxyError.UPSTREAM_CONNECT,
          "upstream connect error to \"" + where + "\" (" + describe(f.failure()) + ")");
    };
  }

  private static String describe(ConnectFailure failure) {
    return switch (failure) {
      case REFUSED -> "connection refused";
      case HOST_UNREACHABLE -> "host unreachable";
      case NETWORK_UNREACHABLE -> "network unreachable";
      case TLS_HANDSHAKE -> "mutual TLS with the peer sidecar failed";
      default -> "connection failure";
    };
  }

  private static Refused blackhole(String host) {
    return new Refused(ProxyError.REGISTRY_ONLY, "host \"" + host + "\" is not in the mesh registry and the outbound"
        + " traffic policy is REGISTRY_ONLY (a ServiceEntry for it allows it)");
  }

  private static Refused unresolved(String host) {
    return new Refused(ProxyError.DNS_RESOLUTION_FAILURE, "cannot resolve \"" + host + "\"");
  }

  private static Refused loop(String host, InetSocketAddress address) {
    return new Refused(ProxyError.EGRESS_LOOP, "\"" + host + "\" (" + address.getAddress().getHostAddress() + ":"
        + address.getPort() + ") is this sidecar's own port; it does not forward to itself");
  }
}
