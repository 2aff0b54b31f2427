package io.meshwork.proxy.config;

import io.meshwork.model.Resource;
import io.meshwork.model.networking.ServiceEntry;
import io.meshwork.model.networking.ServicePort;
import io.meshwork.model.networking.WorkloadEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The services of the mesh, keyed by canonical host: one per ServiceEntry host, and one implicit
 * service per {@code app} label of WorkloadEntries (how sidecars register their app). A host defined
 * twice gets the union of the instances; the first definition's ports win.
 */
final class ServiceCatalog {
  static final String APP_LABEL = "app";
  /** The port callers address an implicit service on when they name none (plain HTTP). */
  static final int IMPLICIT_SERVICE_PORT = 80;
  private static final String IMPLICIT_ORIGIN = "WorkloadEntry app=";

  private final Map<String, MeshService> services = new LinkedHashMap<>();
  private final HostNames hostNames;

  private ServiceCatalog(HostNames hostNames) {
    this.hostNames = hostNames;
  }

  HostNames hostNames() {
    return hostNames;
  }

  Collection<MeshService> services() {
    return services.values();
  }

  MeshService get(String canonicalHost) {
    return services.get(canonicalHost);
  }

  static ServiceCatalog build(
      List<Resource<ServiceEntry>> serviceEntries,
      List<Resource<WorkloadEntry>> workloads,
      LocalService local,
      Notices notices) {
    Set<String> namespaces = new HashSet<>();
    namespaces.add(local.namespace());
    serviceEntries.forEach(r -> namespaces.add(r.namespace()));
    workloads.forEach(r -> namespaces.add(r.namespace()));
    ServiceCatalog catalog = new ServiceCatalog(new HostNames(namespaces));
    for (Resource<ServiceEntry> se : serviceEntries) {
      catalog.addServiceEntry(se, workloads, notices);
    }
    for (Resource<WorkloadEntry> we : workloads) {
      catalog.addImplicit(we, notices);
    }
    return catalog;
  }

  private void addServiceEntry(Resource<ServiceEntry> resource, List<Resource<WorkloadEntry>> workloads, Notices notices) {
    ServiceEntry se = resource.spec();
    List<ServicePort> ports = se.ports().stream().filter(p -> p.number() != null).toList();
    if (ports.isEmpty()) {
      notices.add(resource, "spec.ports", "is empty; its hosts get no route");
      return;
    }
    List<MeshService.Instance> instances = new ArrayList<>();
    for (WorkloadEntry e : se.endpoints()) {
      instance(e, null).ifPresent(instances::add);
    }
    if (se.workloadSelector() != null) {
      for (Resource<WorkloadEntry> we : workloads) {
        // Istio: a ServiceEntry selects WorkloadEntries of its own namespace only.
        if (we.namespace().equals(resource.namespace()) && se.workloadSelector().matches(we.spec().labels())) {
          instance(we.spec(), null).ifPresent(instances::add);
        }
      }
    }
    boolean dns = se.resolution() == ServiceEntry.Resolution.DNS || se.resolution() == ServiceEntry.Resolution.DNS_ROUND_ROBIN;
    if (instances.isEmpty() && !dns) {
      // Resolution NONE forwards to the caller's original destination IP in Istio; a sidecar reached
      // through its proxy ports has no such address, so these hosts have no endpoint.
      notices.add(resource, "spec.endpoints", "selects no workload; requests to its hosts answer 503");
    }
    for (String host : se.hosts()) {
      String canonical = hostNames.resolve(host, resource.namespace());
      if (canonical.startsWith("*")) {
        notices.add(resource, "spec.hosts", "wildcard " + host + " is accepted but not routed yet");
        continue;
      }
      List<MeshService.Instance> hostInstances = instances;
      if (instances.isEmpty() && dns) {
        // Istio: DNS resolution without endpoints connects to the host name itself.
        hostInstances = List.of(new MeshService.Instance(host, Map.of(), Map.of(), 1, null));
      }
      merge(new MeshService(canonical, ports, hostInstances, Notices.subject(resource)));
    }
  }

  private void addImplicit(Resource<WorkloadEntry> resource, Notices notices) {
    WorkloadEntry we = resource.spec();
    String app = we.labels().get(APP_LABEL);
    if (app == null || app.isBlank()) {
      return;
    }
    Map.Entry<String, Integer> port = preferredPort(we.ports());
    if (port == null) {
      notices.add(resource, "spec.ports", "is empty; service " + app + " gets no endpoint from it");
      return;
    }
    var instance = instance(we, port.getValue());
    if (instance.isEmpty()) {
      notices.add(resource, "spec.address", we.address() + " is not routable (expected: an IP address or host name)");
      return;
    }
    String canonical = HostNames.fqdn(app.toLowerCase(Locale.ROOT), resource.namespace());
    ServicePort servicePort = new ServicePort(IMPLICIT_SERVICE_PORT, protocolOf(port.getKey()), port.getKey(), null);
    merge(new MeshService(canonical, List.of(servicePort), List.of(instance.get()), IMPLICIT_ORIGIN + app));
  }

  /** Whether the service exists only through registered workloads, so its one port is virtual. */
  static boolean isImplicit(MeshService service) {
    return service.origin().startsWith(IMPLICIT_ORIGIN);
  }

  private void merge(MeshService service) {
    services.merge(service.host(), service, (a, b) -> {
      List<MeshService.Instance> all = new ArrayList<>(a.instances());
      for (MeshService.Instance i : b.instances()) {
        if (!all.contains(i)) {
          all.add(i);
        }
      }
      return new MeshService(a.host(), a.ports(), all, a.origin());
    });
  }

  private static java.util.Optional<MeshService.Instance> instance(WorkloadEntry we, Integer defaultPort) {
    String address = we.address();
    if (address == null || address.isBlank() || address.startsWith("unix://")) {
      return java.util.Optional.empty();
    }
    int weight = we.weight() == null || we.weight() <= 0 ? 1 : we.weight();
    return java.util.Optional.of(new MeshService.Instance(address, we.ports(), we.labels(), weight, defaultPort));
  }

  /** The workload's HTTP-ish port: named http, http-*, http2* or grpc*, else the first by name. */
  static Map.Entry<String, Integer> preferredPort(Map<String, Integer> ports) {
    return ports.entrySet().stream()
        .sorted(Comparator.<Map.Entry<String, Integer>>comparingInt(e -> isHttpName(e.getKey()) ? 0 : 1)
            .thenComparing(Map.Entry::getKey))
        .findFirst()
        .orElse(null);
  }

  private static boolean isHttpName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals("http") || n.startsWith("http-") || n.startsWith("http2") || n.startsWith("grpc");
  }

  /** Istio protocol selection by port name prefix ("grpc-web", "http2-x" ...). */
  static String protocolOf(String portName) {
    String n = portName.toLowerCase(Locale.ROOT);
    if (n.startsWith("grpc")) {
      return "GRPC";
    }
    if (n.startsWith("http2")) {
      return "HTTP2";
    }
    return "HTTP";
  }
}
