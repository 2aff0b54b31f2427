package io.meshwork.proxy.config;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Istio's host name rules without Kubernetes DNS: a short name {@code orders} means the service in the
 * namespace of the resource that names it, and {@code orders.shop}, {@code orders.shop.svc} and
 * {@code orders.shop.svc.cluster.local} all name service orders in namespace shop. Every other name
 * (e.g. {@code api.example.com}) is taken as written.
 */
final class HostNames {
  static final String DOMAIN_SUFFIX = ".svc.cluster.local";

  private final Set<String> namespaces;

  /** @param namespaces the namespaces that have services, which makes {@code name.ns} a service alias */
  HostNames(Set<String> namespaces) {
    this.namespaces = Set.copyOf(namespaces);
  }

  static String fqdn(String name, String namespace) {
    return name + "." + namespace + DOMAIN_SUFFIX;
  }

  /** The canonical host for {@code host} written in a resource of namespace {@code namespace}. */
  String resolve(String host, String namespace) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.equals("*") || h.startsWith("*.")) {
      return h;
    }
    int dot = h.indexOf('.');
    if (dot < 0) {
      return fqdn(h, namespace);
    }
    if (h.endsWith(DOMAIN_SUFFIX)) {
      return h;
    }
    String rest = h.substring(dot + 1);
    if (rest.endsWith(".svc") && rest.indexOf('.') == rest.length() - 4) {
      return h + ".cluster.local";
    }
    if (rest.indexOf('.') < 0 && namespaces.contains(rest)) {
      return fqdn(h.substring(0, dot), rest);
    }
    return h;
  }

  /** Whether the canonical host names a mesh service (name.ns.svc.cluster.local). */
  static boolean isServiceFqdn(String canonical) {
    if (!canonical.endsWith(DOMAIN_SUFFIX)) {
      return false;
    }
    String head = canonical.substring(0, canonical.length() - DOMAIN_SUFFIX.length());
    int dot = head.indexOf('.');
    return dot > 0 && dot == head.lastIndexOf('.') && dot < head.length() - 1;
  }

  static String serviceName(String fqdn) {
    return fqdn.substring(0, fqdn.indexOf('.'));
  }

  static String serviceNamespace(String fqdn) {
    String head = fqdn.substring(0, fqdn.length() - DOMAIN_SUFFIX.length());
    return head.substring(head.indexOf('.') + 1);
  }

  /** The names a caller in {@code callerNamespace} may use for the canonical host. */
  static List<String> domains(String canonical, String callerNamespace) {
    if (!isServiceFqdn(canonical)) {
      return List.of(canonical);
    }
    String name = serviceName(canonical);
    String ns = serviceNamespace(canonical);
    String dotted = name + "." + ns;
    return ns.equals(callerNamespace)
        ? List.of(canonical, dotted + ".svc", dotted, name)
        : List.of(canonical, dotted + ".svc", dotted);
  }
}
