package io.meshwork.proxy.config;

import io.meshwork.model.Resource;
import io.meshwork.model.dapr.Component;
import io.meshwork.model.networking.DestinationRule;
import io.meshwork.model.networking.ServiceEntry;
import io.meshwork.model.networking.VirtualService;
import io.meshwork.model.networking.WorkloadEntry;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.EndpointRegistry;
import io.meshwork.proxy.dapr.DaprComponents;
import io.meshwork.proxy.egress.OutboundTrafficPolicy;
import io.meshwork.proxy.route.Route;
import io.meshwork.proxy.route.VirtualHost;
import io.meshwork.proxy.route.VirtualHostTable;
import io.meshwork.proxy.policy.InboundPolicyCompiler;
import io.meshwork.proxy.ratelimit.GlobalCounters;
import io.meshwork.proxy.ratelimit.RateLimits;
import io.meshwork.proxy.telemetry.AccessLogConfig;
import io.meshwork.proxy.tls.MtlsPolicyCompiler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles Istio resources into the snapshot one sidecar routes with. The same step serves the file
 * mode and the control-plane mode. Compilation is pure apart from the {@link EndpointRegistry}, which
 * carries endpoint instances (and their in-flight counters) from one snapshot to the next.
 *
 * <p>Istio semantics: services come from ServiceEntries and from WorkloadEntries labelled {@code app};
 * each service host gets a virtual host, routed by its VirtualService when there is one, else to the
 * whole service; DestinationRules shape the clusters (subsets, load balancer, protocol, pool).
 */
public final class SnapshotCompiler {
  private final EndpointRegistry registry;
  private final RateLimitPolicies rateLimits;

  public SnapshotCompiler() {
    this(new EndpointRegistry());
  }

  public SnapshotCompiler(EndpointRegistry registry) {
    this(registry, GlobalCounters.NONE);
  }

  /** @param counters where GLOBAL rate limits lease their tokens (the control plane's counters) */
  public SnapshotCompiler(GlobalCounters counters) {
    this(new EndpointRegistry(), counters);
  }

  public SnapshotCompiler(EndpointRegistry registry, GlobalCounters counters) {
    this.registry = registry;
    this.rateLimits = new RateLimitPolicies(System::nanoTime, counters);
  }

  /**
   * @param version the snapshot version (the store revision in control-plane mode)
   * @param resources every resource currently applied, already validated
   * @param local the service this sidecar serves
   */
  public synchronized MeshSnapshot compile(long version, Collection<Resource<?>> resources, LocalService local) {
    Notices notices = new Notices();
    List<Resource<ServiceEntry>> serviceEntries = new ArrayList<>();
    List<Resource<WorkloadEntry>> workloads = new ArrayList<>();
    List<Resource<VirtualService>> virtualServices = new ArrayList<>();
    List<Resource<DestinationRule>> destinationRules = new ArrayList<>();
    // Sorting by key makes every tie-break (first VirtualService for a host, ...) independent of input order.
    List<Map.Entry<String, Resource<?>>> sorted = new ArrayList<>(resources.size());
    for (Resource<?> r : resources) {
      sorted.add(Map.entry(r.key(), r));
    }
    sorted.sort(Map.Entry.comparingByKey());
    for (Map.Entry<String, Resource<?>> e : sorted) {
      partition(e.getValue(), serviceEntries, workloads, virtualServices, destinationRules, notices);
    }
    registry.beginGeneration();
    boolean compiled = false;
    try {
      ServiceCatalog catalog = ServiceCatalog.build(serviceEntries, workloads, local, notices);
      destinationRules.forEach(dr -> UnenforcedFields.destinationRule(dr, notices));
      ClusterFactory clusters = new ClusterFactory(catalog, destinationRules, local, registry, notices);
      RouteFactory routes = new RouteFactory(catalog, clusters, new MatchCompiler(local), notices);
      for (MeshService service : catalog.services()) {
        clusters.cluster(service.host(), null, null);
      }
      List<VirtualHost> hosts = virtualHosts(catalog, routes, virtualServices, local, notices);
      VirtualHostTable table = new VirtualHostTable(hosts);
      ServiceDirectory directory = DirectoryCompiler.compile(catalog, clusters, serviceEntries, local, notices);
      Map<String, Cluster> all = Collections.unmodifiableMap(new LinkedHashMap<>(clusters.clusters()));
      WorkloadSecurity security = new WorkloadSecurity(
          MtlsPolicyCompiler.compile(resources, local, notices::add),
          InboundPolicyCompiler.compile(resources, local, notices::add));
      OutboundTrafficPolicy egress = MeshConfigs.outboundTrafficPolicy(resources, notices);
      RateLimits limits = rateLimits.compile(resources, local, new MatchCompiler(local), notices);
      AccessLogConfig accessLog = MeshConfigs.accessLog(resources, notices);
      Map<String, Object> summary = SnapshotSummary.of(version, local, hosts, all);
      summary.put("outboundTrafficPolicy", Map.of("mode", egress.name()));
      summary.put("accessLog", accessLog.enabled()
          ? Map.of("path", accessLog.path(), "encoding", accessLog.format().encoding().name()) : Map.of());
      MeshSnapshot snapshot = new MeshSnapshot(version, table, all, notices.toList(), summary, directory, security,
          egress, limits, DaprComponents.compile(resources, local.name(), local.namespace()), accessLog);
      compiled = true;
      return snapshot;
    } finally {
      if (compiled) {
        registry.endGeneration();
      } else {
        registry.abortGeneration();
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void partition(Resource<?> r, List<Resource<ServiceEntry>> serviceEntries,
      List<Resource<WorkloadEntry>> workloads, List<Resource<VirtualService>> virtualServices,
      List<Resource<DestinationRule>> destinationRules, Notices notices) {
    switch (r.kind()) {
      case SERVICE_ENTRY -> serviceEntries.add((Resource<ServiceEntry>) r);
      case WORKLOAD_ENTRY -> workloads.add((Resource<WorkloadEntry>) r);
      case VIRTUAL_SERVICE -> virtualServices.add((Resource<VirtualService>) r);
      case DESTINATION_RULE -> destinationRules.add((Resource<DestinationRule>) r);
      // Enforced by the rate-limit stages from the workload's RateLimits (compiled below).
      case RATE_LIMIT_POLICY -> { }
      // Enforced on the inbound port by the workload's MtlsPolicy (compiled below).
      case PEER_AUTHENTICATION -> { }
      // Enforced on the inbound port by the workload's InboundPolicy (compiled below).
      case AUTHORIZATION_POLICY, REQUEST_AUTHENTICATION, API_KEY -> { }
      case GATEWAY -> notices.add(r, "spec", "configures gateways; sidecars ignore it");
      case WORKLOAD_GROUP -> notices.add(r, "spec", "is accepted but not used yet (workloads register as WorkloadEntries)");
      // Meaningless outside Kubernetes; the parser already warned about them.
      case NAMESPACE, ISTIO_OPERATOR -> { }
      // The local app's components are compiled below, from all resources.
      case COMPONENT -> UnenforcedFields.component((Resource<Component>) r, notices);
    }
  }

  /**
   * One virtual host per service host and per VirtualService host. Istio lets one VirtualService own a
   * host; when several claim it, the first by namespace/name wins and the others get a notice.
   */
  private static List<VirtualHost> virtualHosts(ServiceCatalog catalog, RouteFactory routes,
      List<Resource<VirtualService>> virtualServices, LocalService local, Notices notices) {
    Map<String, VirtualHost> byHost = new LinkedHashMap<>();
    Map<String, String> owner = new LinkedHashMap<>();
    for (Resource<VirtualService> vs : virtualServices) {
      VirtualService spec = vs.spec();
      if (!spec.gateways().isEmpty() && !spec.gateways().contains(MatchCompiler.MESH_GATEWAY)) {
        notices.add(vs, "spec.gateways", "does not include mesh; the VirtualService applies to gateways only");
        continue;
      }
      UnenforcedFields.virtualService(vs, notices);
      List<Route> compiled = null;
      for (String h : spec.hosts()) {
        String host = catalog.hostNames().resolve(h, vs.namespace());
        String previous = owner.putIfAbsent(host, Notices.subject(vs));
        if (previous != null) {
          notices.add(vs, "spec.hosts", h + " is already routed by " + previous + "; ignored here");
          continue;
        }
        if (compiled == null) {
          compiled = routes.routes(vs);
        }
        byHost.put(host, new VirtualHost(host, HostNames.domains(host, local.namespace()), compiled));
      }
    }
    for (MeshService service : catalog.services()) {
      if (!byHost.containsKey(service.host())) {
        byHost.put(service.host(), new VirtualHost(service.host(),
            HostNames.domains(service.host(), local.namespace()), List.of(routes.defaultRoute(service))));
      }
    }
    // A domain belongs to the first virtual host that names it (e.g. a ServiceEntry host that is also a short alias).
    Set<String> taken = new HashSet<>();
    List<VirtualHost> out = new ArrayList<>();
    for (VirtualHost vh : byHost.values()) {
      List<String> domains = vh.domains().stream().filter(taken::add).toList();
      if (!domains.isEmpty()) {
        out.add(domains.size() == vh.domains().size() ? vh : new VirtualHost(vh.name(), domains, vh.routes()));
      }
    }
    return out;
  }
}
