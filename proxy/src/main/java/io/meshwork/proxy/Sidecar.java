package io.meshwork.proxy;

import io.meshwork.proxy.admin.AdminControls;
import io.meshwork.proxy.admin.AdminInitializer;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.dapr.DaprApi;
import io.meshwork.proxy.dapr.DaprComponents;
import io.meshwork.proxy.dapr.DaprSettings;
import io.meshwork.proxy.egress.EgressCounters;
import io.meshwork.proxy.egress.OwnPorts;
import io.meshwork.proxy.egress.ProxyPortEgress;
import io.meshwork.proxy.forward.ForwardConfig;
import io.meshwork.proxy.forward.HttpListenerInitializer;
import io.meshwork.proxy.forward.InFlight;
import io.meshwork.proxy.forward.MirrorCounters;
import io.meshwork.proxy.forward.RequestBody;
import io.meshwork.proxy.forward.TargetResolver;
import io.meshwork.proxy.http.DownstreamLimits;
import io.meshwork.proxy.http.RejectionCounters;
import io.meshwork.proxy.inbound.InboundTunnels;
import io.meshwork.proxy.inbound.LocalAppRoutes;
import io.meshwork.proxy.outbound.OutboundCallers;
import io.meshwork.proxy.outbound.ProxyPortTargets;
import io.meshwork.proxy.outbound.UpstreamPortTargets;
import io.meshwork.proxy.policy.InboundPolicy;
import io.meshwork.proxy.ratelimit.RateLimits;
import io.meshwork.proxy.policy.InboundPolicyFilter;
import io.meshwork.proxy.policy.OutboundApiKey;
import io.meshwork.proxy.route.RouteDecision;
import io.meshwork.proxy.route.RouteTable;
import io.meshwork.proxy.stack.RequestStack;
import io.meshwork.proxy.telemetry.AccessLogConfig;
import io.meshwork.proxy.telemetry.AccessLogStage;
import io.meshwork.proxy.telemetry.IstioMetrics;
import io.meshwork.proxy.telemetry.TcpTelemetry;
import io.meshwork.proxy.telemetry.TelemetryStage;
import io.meshwork.proxy.telemetry.Workload;
import io.meshwork.proxy.transport.IoTransport;
import io.meshwork.proxy.socks.SocksListener;
import io.meshwork.proxy.socks.SocksSettings;
import io.meshwork.proxy.tcp.TcpConnector;
import io.meshwork.proxy.tls.InboundTls;
import io.meshwork.proxy.tls.MeshStreamTls;
import io.meshwork.proxy.tls.MeshTls;
import io.meshwork.proxy.tls.MtlsPolicy;
import io.meshwork.proxy.tls.OutboundTls;
import io.meshwork.proxy.tls.WorkloadIdentity;
import io.meshwork.proxy.upstream.UpstreamPools;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running sidecar: the outbound HTTP proxy port, one port per {@code --upstream}, the inbound
 * port to the local application and the admin port, all on one set of event loops with
 * per-loop upstream connection pools. The request path is assembled here, in one place.
 */
public final class Sidecar implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sidecar.class);
  /** How long {@link #close()} lets in-flight requests finish. */
  public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);
  private static final RouteTable NO_ROUTES = (request, host, port, path, random) -> new RouteDecision.UnknownHost(host);

  private final SidecarSettings settings;
  private final SnapshotRef snapshots;
  private final IoTransport transport;
  private final UpstreamPools pools;
  private final IstioMetrics metrics = new IstioMetrics();
  private final Workload workload;
  /** The access log of both directions (meshConfig accessLogFile); off until a snapshot turns it on. */
  private final AccessLogStage accessLog;
  /** Istio's TCP metrics of the SOCKS5 port and CONNECT tunnels. */
  private final TcpTelemetry tcpTelemetry;
  private final RequestStack outboundStack;
  /** The workload's TLS contexts; null when the sidecar should have no identity (standalone without certificates). */
  private final MeshTls meshTls;
  private final NoticeLog notices;
  /** Hosts outside the registry and CONNECT tunnels on the HTTP proxy port. */
  private final ProxyPortEgress egress;
  private final OwnPorts ownPorts = OwnPorts.ofThisMachine();
  private InboundTls inboundTls;
  private InboundTunnels inboundTunnels;
  /** Wraps SOCKS5 and CONNECT streams to mesh workloads in mutual TLS. */
  private final MeshStreamTls streamTls;
  private final MirrorCounters mirrors = new MirrorCounters();
  private final InFlight inFlight = new InFlight();
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  /** A traffic port as bound, so that undraining can bind it again. */
  private record TrafficPort(String name, int port, InboundTls tls, ChannelHandler initializer) {}

  private final List<TrafficPort> trafficPorts = new ArrayList<>();
  private final List<Channel> trafficListeners = new ArrayList<>();
  private final List<SocksListener> drainedSocks = new ArrayList<>();
  private final Map<String, Integer> upstreamPorts = new LinkedHashMap<>();
  private volatile boolean draining;
  private volatile boolean bound;
  private int inboundPort = -1;
  private int httpPort;
  private int adminPort;
  private Channel adminListener;
  private SocksListener socks;
  private int socksPort = -1;
  private IoTransport socksTransport;
  private final DaprSettings daprSettings;
  private DaprApi dapr;

  private Sidecar(SidecarSettings settings, SnapshotRef snapshots, WorkloadIdentity identity, DaprSettings dapr) {
    this.daprSettings = dapr == null ? DaprSettings.defaults(settings.service(), settings.namespace()) : dapr;
    this.workload = new Workload(settings.service(), settings.namespace(), identity == null ? null
        : identity.id() != null ? "spiffe://" + identity.id().trustDomain() + identity.id().path()
        : "spiffe://cluster.local/ns/" + settings.namespace() + "/sa/" + settings.service(), null, null);
    this.tcpTelemetry = new TcpTelemetry(metrics, workload);
    this.accessLog = new AccessLogStage(metrics, settings.service() + "." + settings.namespace());
    this.outboundStack = ProxyStacks.outbound(new TelemetryStage(metrics, TelemetryStage.Reporter.SOURCE, workload),
        accessLog, this::rateLimits);
    this.settings = settings;
    this.snapshots = snapshots;
    this.transport = IoTransport.create(settings.ioThreads(), true);
    this.meshTls = identity == null ? null : MeshTls.of(identity);
    this.streamTls = new MeshStreamTls(meshTls);
    this.pools = new UpstreamPools(transport, new OutboundTls(snapshots::get, meshTls));
    this.notices = new NoticeLog(settings.service() + "." + settings.namespace());
    this.egress = new ProxyPortEgress(snapshots::get, settings::outboundTrafficPolicy,
        new TcpConnector(transport.socketChannel(), SocksSettings.DEFAULT.connectTimeout(), streamTls),
        ownPorts, new EgressCounters(), tcpTelemetry);
  }

  /**
   * Binds every port and returns the running sidecar.
   *
   * @throws IllegalStateException when a port cannot be bound
   */
  public static Sidecar start(SidecarSettings settings, SnapshotRef snapshots) {
    return start(settings, snapshots, null);
  }

  /**
   * As {@link #start(SidecarSettings, SnapshotRef)} with a workload identity: the inbound port
   * speaks mutual TLS by PeerAuthentication and traffic to mesh workloads is ISTIO_MUTUAL. While
   * the identity has no usable certificate the sidecar fails closed: it is not ready, STRICT
   * refuses every inbound connection, and mutual TLS to peers fails rather than going out in
   * plaintext.
   *
   * @param identity the workload's SVID, or null when the sidecar should have none (plaintext to
   *     peers; STRICT refuses all inbound connections)
   */
  public static Sidecar start(SidecarSettings settings, SnapshotRef snapshots, WorkloadIdentity identity) {
    return start(settings, snapshots, identity, null);
  }

  /** As {@link #start(SidecarSettings, SnapshotRef, WorkloadIdentity)}, keeping Dapr's local state as {@code dapr} says. */
  public static Sidecar start(SidecarSettings settings, SnapshotRef snapshots, WorkloadIdentity identity,
      DaprSettings dapr) {
    Sidecar sidecar = new Sidecar(settings, snapshots, identity, dapr);
    try {
      sidecar.bindAll();
    } catch (RuntimeException e) {
      sidecar.close();
      throw e;
    }
    return sidecar;
  }

  private void bindAll() {
    notices.snapshot(snapshots.get());
    snapshots.onSet(notices::snapshot);
    MeshSnapshot first = snapshots.get();
    accessLog.configure(first == null ? AccessLogConfig.OFF : first.accessLog());
    snapshots.onSet(s -> accessLog.configure(s.accessLog()));
    Supplier<RouteTable> outboundRoutes = () -> {
      MeshSnapshot s = snapshots.get();
      return s == null ? NO_ROUTES : s.outbound();
    };
    OutboundCallers callers = settings.outboundCallers();
    dapr = new DaprApi(daprSettings, settings.service(), settings.namespace(), settings.target(), () -> {
      MeshSnapshot s = snapshots.get();
      return s == null ? DaprComponents.NONE : s.dapr();
    }, callers.guard(request -> new TargetResolver.Resolved(null), settings.service()));
    snapshots.onSet(s -> dapr.retain(s.dapr()));
    httpPort = bindTraffic("http proxy", settings.httpPort(), new HttpListenerInitializer(new ForwardConfig(
        outboundRoutes, callers.guard(OutboundApiKey.decorate(new ProxyPortTargets(), settings.outboundApiKey()),
            settings.service()), pools, RequestBody.DEFAULT_REPLAY_LIMIT, () -> draining, inFlight,
        outboundStack, egress, mirrors), DownstreamLimits.DEFAULTS, new RejectionCounters(), dapr.httpHandlers()));
    for (Map.Entry<String, Integer> e : settings.upstreams().entrySet()) {
      int port = bindTraffic("upstream " + e.getKey(), e.getValue(),
          forwarding(outboundRoutes, callers.guard(
              OutboundApiKey.decorate(new UpstreamPortTargets(e.getKey()), settings.outboundApiKey()), settings.service())));
      upstreamPorts.put(e.getKey(), port);
    }
    if (settings.target() != null) {
      LocalAppRoutes local = new LocalAppRoutes(settings.service(), settings.target());
      RouteTable inbound = local.routes();
      Supplier<InboundPolicy> inboundPolicy = () -> {
        MeshSnapshot s = snapshots.get();
        return s == null ? InboundPolicy.ALLOW_ALL : s.security().inbound();
      };
      inboundTunnels = new InboundTunnels(inboundPolicy, local.cluster().endpoints().getFirst().address(),
          new TcpConnector(transport.socketChannel(), SocksSettings.DEFAULT.connectTimeout()));
      inboundTls = new InboundTls(() -> {
        MeshSnapshot s = snapshots.get();
        return s == null ? MtlsPolicy.DEFAULT : s.security().mtls();
      }, meshTls, settings.target().getPort(), inboundTunnels);
      inboundPort = bindTraffic("inbound to " + settings.target(), settings.inboundPort(), inboundTls,
          forwarding(() -> inbound, local.targets(), ProxyStacks.inbound(new InboundPolicyFilter(inboundPolicy),
              new TelemetryStage(metrics, TelemetryStage.Reporter.DESTINATION, workload), accessLog,
              this::rateLimits)));
    }
    if (settings.socksPort() != SidecarSettings.NO_SOCKS) {
      // SOCKS tunnels relay half-closed TCP (a FIN one way while data still flows back). Netty
      // 4.2.18's epoll transport drops a half-closed socket from its epoll set, so the next write
      // that must wait for EPOLLOUT fails (epoll_ctl ENOENT) and the tunnel loses the rest of the
      // reply. NIO implements half-closure with plain socket shutdowns, so tunnels run there; both
      // ends of a tunnel still share one event loop.
      socksTransport = IoTransport.create(settings.ioThreads(), false);
      socks = SocksListener.bind(socksTransport, settings.localAddress(), settings.socksPort(), snapshots,
          SocksSettings.DEFAULT, streamTls, tcpTelemetry);
      socksPort = socks.port();
      log.info("sidecar {}.{}: socks5 listening on {}:{}", settings.service(), settings.namespace(),
          settings.localAddress(), socks.port());
    }
    adminListener = bind(settings.adminBindAddress(), settings.adminPort(), new AdminInitializer(new AdminControls(
        this::notReady, snapshots::get, this::drain, this::undrain, settings.adminAccess(),
        this::configExtras, metrics::scrape)));
    adminPort = port(adminListener);
    List<Integer> own = new ArrayList<>(List.of(httpPort, inboundPort, socksPort, adminPort));
    own.addAll(upstreamPorts.values());
    ownPorts.listen(own);
    log.info("sidecar {}.{}: admin listening on {}:{} ({})", settings.service(), settings.namespace(),
        settings.adminBindAddress(), adminPort, settings.adminAccess().hasToken()
            ? "loopback callers, or others with the admin token" : "loopback callers only beyond /ready");
    bound = true;
  }

  private HttpListenerInitializer forwarding(Supplier<RouteTable> routes, TargetResolver targets) {
    return forwarding(routes, targets, outboundStack);
  }

  private RateLimits rateLimits() {
    MeshSnapshot s = snapshots.get();
    return s == null ? RateLimits.NONE : s.rateLimits();
  }

  private HttpListenerInitializer forwarding(Supplier<RouteTable> routes, TargetResolver targets, RequestStack stages) {
    return forwarding(routes, targets, stages, null);
  }

  /** @param localApi handlers that answer some requests on the port itself (Dapr's API), or null */
  private HttpListenerInitializer forwarding(Supplier<RouteTable> routes, TargetResolver targets, RequestStack stages,
      Supplier<ChannelHandler> localApi) {
    return new HttpListenerInitializer(new ForwardConfig(
        routes, targets, pools, RequestBody.DEFAULT_REPLAY_LIMIT, () -> draining, inFlight, stages, null, mirrors),
        DownstreamLimits.DEFAULTS, new RejectionCounters(), localApi);
  }

  private int bindTraffic(String name, int port, ChannelHandler initializer) {
    return bindTraffic(name, port, null, initializer);
  }

  /** @param tls the port's mutual TLS by PeerAuthentication (settled before HTTP), or null for plaintext */
  private int bindTraffic(String name, int port, InboundTls tls, ChannelHandler initializer) {
    int bound = listen(name, port, tls, initializer);
    trafficPorts.add(new TrafficPort(name, bound, tls, initializer));
    return bound;
  }

  private int listen(String name, int port, InboundTls tls, ChannelHandler initializer) {
    // Only the inbound port (the one with a TLS policy) faces peers; the outbound ports serve the local app.
    String address = tls != null ? settings.bindAddress() : settings.localAddress();
    Channel listener = bind(address, port, new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        connections.add(ch);
        if (tls != null) {
          ch.pipeline().addLast(tls.newHandler(ch));
        }
        ch.pipeline().addLast(initializer);
      }
    });
    trafficListeners.add(listener);
    int bound = port(listener);
    log.info("sidecar {}.{}: {} listening on {}:{} ({})", settings.service(), settings.namespace(), name,
        address, bound, transport.nativeEpoll() ? "epoll" : "nio");
    return bound;
  }

  private Channel bind(String address, int port, ChannelHandler initializer) {
    ServerBootstrap b = new ServerBootstrap()
        .group(transport.workers())
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.ALLOCATOR, transport.allocator())
        .childOption(ChannelOption.ALLOCATOR, transport.allocator())
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(initializer);
    var future = b.bind(new InetSocketAddress(address, port)).awaitUninterruptibly();
    if (!future.isSuccess()) {
      throw new IllegalStateException("cannot listen on " + address + ":" + port + ": "
          + future.cause().getMessage(), future.cause());
    }
    return future.channel();
  }

  private static int port(Channel listener) {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /**
   * Whether every listener is bound, a snapshot is loaded, the sidecar is not draining and, when
   * it should have a workload identity, it has a valid certificate.
   */
  public boolean isReady() {
    return notReady().isEmpty();
  }

  /** Why the sidecar is not ready, or empty when it is (the body of a 503 from {@code /ready}). */
  public Optional<String> notReady() {
    if (!bound) {
      return Optional.of("listeners are not bound yet");
    }
    if (draining) {
      return Optional.of("draining (DELETE /drain on the admin port accepts traffic again)");
    }
    if (snapshots.get() == null) {
      return Optional.of("no configuration loaded yet");
    }
    return meshTls == null ? Optional.empty() : meshTls.identity().missing();
  }

  /** Stops accepting connections on the traffic ports; requests in flight finish, keep-alive connections close after their current response. */
  public synchronized void drain() {
    if (draining) {
      return;
    }
    draining = true;
    for (Channel listener : trafficListeners) {
      listener.close().awaitUninterruptibly();
    }
    trafficListeners.clear();
    if (socks != null) {
      socks.stopAccepting();
    }
    for (Channel connection : connections) {
      connection.eventLoop().execute(() -> HttpListenerInitializer.drain(connection));
    }
    log.info("sidecar {}.{}: draining, {} requests in flight", settings.service(), settings.namespace(), inFlight.count());
  }

  /**
   * Ends a drain: binds every traffic port again on the port it had, so peers and the app find the
   * sidecar where it was. Connections drained meanwhile stay closed.
   *
   * @throws IllegalStateException when a port cannot be bound again (another process took it); the
   *     sidecar then stays draining on the ports it could not bind
   */
  public synchronized void undrain() {
    if (!draining || !bound) {
      return;
    }
    try {
      for (TrafficPort p : trafficPorts) {
        listen(p.name(), p.port(), p.tls(), p.initializer());
      }
      if (socks != null) {
        SocksListener again = SocksListener.bind(socksTransport, settings.localAddress(), socksPort, snapshots,
            SocksSettings.DEFAULT, streamTls, tcpTelemetry);
        drainedSocks.add(socks);
        socks = again;
      }
    } catch (RuntimeException e) {
      for (Channel listener : trafficListeners) {
        listener.close().awaitUninterruptibly();
      }
      trafficListeners.clear();
      throw e;
    }
    draining = false;
    log.info("sidecar {}.{}: accepting traffic again", settings.service(), settings.namespace());
  }

  public boolean isDraining() {
    return draining;
  }

  /** Requests in progress on every port. */
  public long inFlightRequests() {
    return inFlight.count();
  }

  /** What {@code /config} shows beside the snapshot: egress policy and counters, inbound tunnel counters. */
  private Map<String, Object> configExtras() {
    Map<String, Object> extras = new java.util.LinkedHashMap<>();
    extras.put("egress", egress.view());
    extras.put("mirrors", mirrors.view());
    if (inboundTunnels != null) {
      extras.put("inboundTunnels", inboundTunnels.counters());
    }
    return extras;
  }

  /** What became of the copies that routes with mirrors sent. */
  public MirrorCounters mirrors() {
    return mirrors;
  }

  /** The inbound port's mutual TLS (counters of refused connections), or null when the sidecar has no target. */
  public InboundTls inboundTls() {
    return inboundTls;
  }

  /** The inbound port, or -1 when the sidecar has no target. */
  public int inboundPort() {
    return inboundPort;
  }

  public int httpPort() {
    return httpPort;
  }

  public int adminPort() {
    return adminPort;
  }

  /** Where the admin port listens: loopback unless the settings name another address. */
  public InetSocketAddress adminAddress() {
    return (InetSocketAddress) adminListener.localAddress();
  }

  /** The SOCKS5 port, or -1 when the settings open none. */
  public int socksPort() {
    return socksPort;
  }

  /** The port of upstream {@code name}. */
  public int upstreamPort(String name) {
    Integer port = upstreamPorts.get(name);
    if (port == null) {
      throw new IllegalArgumentException("name: " + name + " (expected: one of " + upstreamPorts.keySet() + ")");
    }
    return port;
  }

  /** The HTTP proxy port's egress: the outbound traffic policy in force and its counters. */
  public ProxyPortEgress egress() {
    return egress;
  }

  public SidecarSettings settings() {
    return settings;
  }

  /** The sidecar's event loops, for listeners assembled elsewhere (e.g. the SOCKS5 port) to share. */
  public IoTransport transport() {
    return transport;
  }

  /** Drains (in-flight requests get up to {@link #DRAIN_TIMEOUT}), then closes connections, pools and event loops. */
  @Override
  public void close() {
    drain();
    long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
    while (inFlight.count() > 0 && System.nanoTime() < deadline) {
      try {
        TimeUnit.MILLISECONDS.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (adminListener != null) {
      adminListener.close().awaitUninterruptibly();
    }
    connections.close().awaitUninterruptibly();
    for (SocksListener old : drainedSocks) {
      old.close();
    }
    if (socks != null) {
      socks.close();
      socksTransport.shutdown(Duration.ofSeconds(2));
    }
    pools.close();
    if (dapr != null) {
      dapr.close();
    }
    transport.shutdown(Duration.ofSeconds(2));
    accessLog.close();
  }
}
