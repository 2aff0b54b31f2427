package io.meshwork.proxy.config;

import io.meshwork.model.Resource;
import io.meshwork.model.networking.ServiceEntry;
import io.meshwork.model.networking.ServicePort;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.config.ServiceDirectory.AddressRule;
import io.meshwork.proxy.config.ServiceDirectory.HostRule;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@link ServiceDirectory} of a snapshot from the service catalog and the ServiceEntries.
 *
 * <p>Istio semantics carried over: a ServiceEntry with {@code resolution: NONE} and no endpoints
 * forwards to the caller's original destination on its declared ports, whatever its
 * {@code location}; a wildcard host can only mean that (there is no single name to resolve), so
 * wildcard hosts allow the requested name on their ports. Hosts with endpoints (STATIC, DNS with
 * endpoints, DNS without endpoints where the host name is the endpoint, and registered workloads)
 * go through their cluster and its load balancer.
 */
final class DirectoryCompiler {
  private DirectoryCompiler() {}

  static ServiceDirectory compile(ServiceCatalog catalog, ClusterFactory clusters,
      List<Resource<ServiceEntry>> serviceEntries, LocalService local, Notices notices) {
    Map<String, HostRule> byCanonical = new LinkedHashMap<>();
    List<Map.Entry<String, HostRule>> wildcards = new ArrayList<>();
    for (Resource<ServiceEntry> se : serviceEntries) {
      Set<Integer> ports = declaredPorts(se.spec());
      if (ports.isEmpty()) {
        continue;
      }
      boolean none = se.spec().resolution() == null || se.spec().resolution() == ServiceEntry.Resolution.NONE;
      HostRule passthrough = new HostRule.Passthrough(ports, Notices.subject(se));
      for (String host : se.spec().hosts()) {
        String canonical = catalog.hostNames().resolve(host, se.namespace());
        if (canonical.startsWith("*")) {
          if (se.spec().resolution() != ServiceEntry.Resolution.STATIC) {
            wildcards.add(Map.entry(canonical.substring(1), passthrough));
          }
          continue;
        }
        MeshService service = catalog.get(canonical);
        if (none && (service == null || service.instances().isEmpty())) {
          byCanonical.putIfAbsent(canonical, passthrough);
        }
      }
    }
    Map<InetSocketAddress, ServiceTarget.Pinned> endpoints = new LinkedHashMap<>();
    for (MeshService service : catalog.services()) {
      if (byCanonical.containsKey(service.host())) {
        continue;
      }
      Map<Integer, Cluster> byPort = new LinkedHashMap<>();
      for (ServicePort p : service.ports()) {
        Cluster c = clusters.cluster(service.host(), p.number(), null);
        byPort.putIfAbsent(p.number(), c);
        for (Endpoint e : c.endpoints()) {
          if (!e.address().isUnresolved()) {
            endpoints.putIfAbsent(e.address(), new ServiceTarget.Pinned(c, e));
          }
        }
      }
      Cluster anyPort = ServiceCatalog.isImplicit(service) ? byPort.values().iterator().next() : null;
      byCanonical.put(service.host(), new HostRule.Clusters(byPort, anyPort));
    }
    // Every alias a caller in the local namespace may use, first claim wins, as for HTTP virtual hosts.
    Map<String, HostRule> exact = new LinkedHashMap<>();
    byCanonical.forEach((canonical, rule) -> {
      for (String domain : HostNames.domains(canonical, local.namespace())) {
        exact.putIfAbsent(domain, rule);
      }
    });
    wildcards.sort(Comparator.comparingInt((Map.Entry<String, HostRule> e) -> -e.getKey().length()));
    return new ServiceDirectory(exact, wildcards, addressRules(catalog, serviceEntries, byCanonical, notices), endpoints);
  }

  private static List<AddressRule> addressRules(ServiceCatalog catalog, List<Resource<ServiceEntry>> serviceEntries,
      Map<String, HostRule> byCanonical, Notices notices) {
    List<AddressRule> out = new ArrayList<>();
    for (Resource<ServiceEntry> se : serviceEntries) {
      HostRule rule = null;
      for (String host : se.spec().hosts()) {
        rule = byCanonical.get(catalog.hostNames().resolve(host, se.namespace()));
        if (rule != null) {
          break;
        }
      }
      if (rule == null) {
        continue;
      }
      for (String block : se.spec().addresses()) {
        int slash = block.indexOf('/');
        byte[] network = NetUtil.createByteArrayFromIpAddressString(slash < 0 ? block : block.substring(0, slash));
        int prefix = network == null ? -1 : network.length * 8;
        if (network != null && slash >= 0) {
          try {
            prefix = Integer.parseInt(block.substring(slash + 1));
          } catch (NumberFormatException e) {
            prefix = -1;
          }
        }
        if (network == null || prefix < 0 || prefix > network.length * 8) {
          notices.add(se, "spec.addresses", block + " is not an IP address or CIDR; ignored for TCP");
          continue;
        }
        out.add(new AddressRule(network, prefix, rule));
      }
    }
    return out;
  }

  private static Set<Integer> declaredPorts(ServiceEntry se) {
    Set<Integer> ports = new LinkedHashSet<>();
    for (ServicePort p : se.ports()) {
      if (p.number() != null) {
        ports.add(p.number());
      }
    }
    return ports;
  }
}
