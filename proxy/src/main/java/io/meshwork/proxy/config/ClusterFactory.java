package io.meshwork.proxy.config;

import io.meshwork.model.Resource;
import io.meshwork.model.networking.DestinationRule;
import io.meshwork.model.networking.ServicePort;
import io.meshwork.model.networking.Subset;
import io.meshwork.model.networking.TrafficPolicy;
import io.meshwork.proxy.admission.CircuitBreaker;
import io.meshwork.proxy.balancer.BalancerPolicy;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.EndpointHealth;
import io.meshwork.proxy.cluster.EndpointRegistry;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.outlier.OutlierDetector;
import io.meshwork.proxy.outlier.OutlierPolicy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds one {@link Cluster} per (service host, port, subset) on first use, Envoy-style named
 * {@code outbound|port|subset|host}, with the DestinationRule that applies to the host.
 */
final class ClusterFactory {
  private final ServiceCatalog catalog;
  private final EndpointRegistry registry;
  private final Map<String, Resource<DestinationRule>> exactRules = new HashMap<>();
  private final List<Map.Entry<String, Resource<DestinationRule>>> wildcardRules = new ArrayList<>();
  private final Map<String, Cluster> clusters = new LinkedHashMap<>();
  private final Notices notices;

  ClusterFactory(ServiceCatalog catalog, List<Resource<DestinationRule>> rules, LocalService local,
      EndpointRegistry registry, Notices notices) {
    this.catalog = catalog;
    this.notices = notices;
    this.registry = registry;
    // Istio picks the rule in the client's namespace first, then the service's namespace; we
    // approximate by preferring the caller's namespace and otherwise the first rule by name.
    // Rules arrive sorted by key; a stable sort keeps that order within each group.
    List<Resource<DestinationRule>> ordered = new ArrayList<>(rules);
    ordered.sort(Comparator.comparing((Resource<DestinationRule> r) -> !r.namespace().equals(local.namespace())));
    for (Resource<DestinationRule> r : ordered) {
      if (r.spec().host() == null || r.spec().host().isBlank()) {
        continue;
      }
      String host = catalog.hostNames().resolve(r.spec().host(), r.namespace());
      if (host.startsWith("*")) {
        wildcardRules.add(Map.entry(host, r));
        continue;
      }
      Resource<DestinationRule> previous = exactRules.putIfAbsent(host, r);
      if (previous != null) {
        notices.add(r, "spec.host", host + " already has " + Notices.subject(previous) + "; this rule is ignored");
      }
    }
    // The most specific wildcard first.
    wildcardRules.sort(Comparator.comparingInt((Map.Entry<String, Resource<DestinationRule>> e) -> -e.getKey().length()));
  }

  Resource<DestinationRule> ruleFor(String host) {
    Resource<DestinationRule> rule = exactRules.get(host);
    if (rule != null) {
      return rule;
    }
    for (var e : wildcardRules) {
      String w = e.getKey();
      if (w.equals("*") || (host.endsWith(w.substring(1)) && host.length() > w.length() - 1)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** Whether the host's DestinationRule defines the subset. */
  boolean hasSubset(String host, String subset) {
    return subset(ruleFor(host), subset) != null;
  }

  /** The service port a destination means: the one numbered {@code port}, else the service's first. */
  ServicePort servicePort(MeshService service, Integer port) {
    if (port != null) {
      for (ServicePort p : service.ports()) {
        if (p.number().equals(port)) {
          return p;
        }
      }
    }
    return service.ports().get(0);
  }

  /**
   * The cluster for a destination. An unknown host or subset yields a cluster without endpoints, so
   * requests to it answer 503, as Envoy does for a missing cluster.
   */
  Cluster cluster(String host, Integer port, String subset) {
    MeshService service = catalog.get(host);
    String subsetName = subset == null ? "" : subset;
    if (service == null) {
      int p = port == null ? ServiceCatalog.IMPLICIT_SERVICE_PORT : port;
      return clusters.computeIfAbsent(name(p, subsetName, host), n -> empty(n, host, subsetName));
    }
    ServicePort servicePort = servicePort(service, port);
    String name = name(servicePort.number(), subsetName, host);
    Cluster existing = clusters.get(name);
    if (existing != null) {
      return existing;
    }
    Resource<DestinationRule> rule = ruleFor(host);
    Subset s = subset(rule, subset);
    Cluster built;
    if (!subsetName.isEmpty() && s == null) {
      built = empty(name, host, subsetName);
    } else {
      TrafficPolicy tp = TrafficPolicies.effective(
          rule == null ? null : rule.spec().trafficPolicy(), s == null ? null : s.trafficPolicy(), servicePort.number());
      List<Endpoint> endpoints = endpoints(service, servicePort, s == null ? Map.of() : s.labels());
      built = new Cluster(name, host, subsetName, endpoints, TrafficPolicies.balancer(tp).newBalancer(endpoints),
          TrafficPolicies.hashPolicy(tp), TrafficPolicies.protocol(servicePort, tp), TrafficPolicies.pool(tp),
          ClientTlsPolicies.of(tp == null ? null : tp.tls(), rule, notices), breaker(rule, tp),
          health(name, endpoints, rule, tp));
    }
    clusters.put(name, built);
    return built;
  }

  /** The cluster's circuit breaker; limits a rule gets wrong are named in a notice and not applied. */
  private CircuitBreaker breaker(Resource<DestinationRule> rule, TrafficPolicy tp) {
    try {
      return new CircuitBreaker(TrafficPolicies.limits(tp, "spec.trafficPolicy"),
          TrafficPolicies.retryBudget(tp));
    } catch (IllegalArgumentException e) {
      notices.add(rule, "spec.trafficPolicy.connectionPool", e.getMessage() + "; no limits applied");
      return CircuitBreaker.unlimited();
    }
  }

  /** Outlier detection over the cluster's endpoints; a policy a rule gets wrong is named in a notice and not applied. */
  private EndpointHealth health(String name, List<Endpoint> endpoints, Resource<DestinationRule> rule, TrafficPolicy tp) {
    try {
      OutlierPolicy policy = TrafficPolicies.outliers(tp, "spec.trafficPolicy",
          rule == null ? Map.of() : rule.metadata().annotations());
      return policy == null ? EndpointHealth.ALL_IN : new OutlierDetector(name, endpoints, policy, System::nanoTime);
    } catch (IllegalArgumentException e) {
      notices.add(rule, "spec.trafficPolicy.outlierDetection", e.getMessage() + "; not applied");
      return EndpointHealth.ALL_IN;
    }
  }

  Map<String, Cluster> clusters() {
    return clusters;
  }

  private List<Endpoint> endpoints(MeshService service, ServicePort port, Map<String, String> subsetLabels) {
    Set<Endpoint> endpoints = new LinkedHashSet<>();
    for (MeshService.Instance instance : service.instances()) {
      if (instance.labels().entrySet().containsAll(subsetLabels.entrySet())) {
        endpoints.add(registry.intern(
            address(instance.address(), MeshService.endpointPort(port, instance)), instance.labels(), instance.weight()));
      }
    }
    return List.copyOf(endpoints);
  }

  /** IP literals become resolved addresses without a lookup; host names stay unresolved until connect time. */
  static InetSocketAddress address(String host, int port) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (isIpLiteral(h)) {
      return new InetSocketAddress(h, port);
    }
    return InetSocketAddress.createUnresolved(h, port);
  }

  private static boolean isIpLiteral(String h) {
    if (h.indexOf(':') >= 0) {
      return true;
    }
    int parts = 0;
    int digits = 0;
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if (c == '.') {
        if (digits == 0) {
          return false;
        }
        parts++;
        digits = 0;
      } else if (c >= '0' && c <= '9' && digits < 3) {
        digits++;
      } else {
        return false;
      }
    }
    return parts == 3 && digits > 0;
  }

  private static Subset subset(Resource<DestinationRule> rule, String name) {
    if (rule == null || name == null || name.isEmpty()) {
      return null;
    }
    for (Subset s : rule.spec().subsets()) {
      if (name.equals(s.name())) {
        return s;
      }
    }
    return null;
  }

  private static String name(int port, String subset, String host) {
    return "outbound|" + port + "|" + subset + "|" + host;
  }

  private static Cluster empty(String name, String host, String subset) {
    List<Endpoint> none = List.of();
    return new Cluster(name, host, subset, none, BalancerPolicy.DEFAULT.newBalancer(none), HashPolicy.NONE,
        UpstreamProtocol.USE_DOWNSTREAM, ConnectionPoolSettings.DEFAULT);
  }
}
