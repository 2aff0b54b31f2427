package io.meshwork.proxy.config;

import io.meshwork.proxy.cluster.Cluster;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Host and port → {@link ServiceTarget} for opaque TCP ways in (the SOCKS5 port), compiled with the
 * snapshot. A name resolves exactly as HTTP routing resolves a Host: every alias of a mesh service
 * ({@code orders}, {@code orders.shop}, ...; short names in the sidecar's namespace), ServiceEntry
 * hosts, and {@code *.suffix} ServiceEntry hosts for the most specific suffix. An IP literal resolves
 * when it is a mesh endpoint's address and port, or lies in a ServiceEntry's {@code addresses}.
 * Anything else is absent: the caller refuses it (Istio's {@code REGISTRY_ONLY} outbound policy).
 */
public final class ServiceDirectory {
  public static final ServiceDirectory EMPTY = new ServiceDirectory(Map.of(), List.of(), List.of(), Map.of());

  /** What a host allows, per port. */
  sealed interface HostRule {
    /**
     * A mesh service's clusters by service port.
     *
     * @param byPort cluster per declared service port
     * @param anyPort the cluster for ports the service does not declare, or null to refuse them. A
     *     service made of registered workloads declares only a virtual port, so every port means it.
     */
    record Clusters(Map<Integer, Cluster> byPort, Cluster anyPort) implements HostRule {}

    /**
     * Connections go where the client asked, on the declared ports.
     *
     * @param ports the ServiceEntry's port numbers
     * @param origin the ServiceEntry, for logs
     */
    record Passthrough(Set<Integer> ports, String origin) implements HostRule {}
  }

  /** An IP block of a ServiceEntry's {@code addresses} and what its host allows. */
  record AddressRule(byte[] network, int prefixLength, HostRule rule) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefixLength / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefixLength % 8;
      int mask = (0xff << (8 - rest)) & 0xff;
      return rest == 0 || (address[full] & mask) == (network[full] & mask);
    }
  }

  private final Map<String, HostRule> exact;
  /** Suffixes with their leading dot, most specific first. */
  private final List<Map.Entry<String, HostRule>> wildcards;
  private final List<AddressRule> addresses;
  private final Map<InetSocketAddress, ServiceTarget.Pinned> endpoints;

  ServiceDirectory(Map<String, HostRule> exact, List<Map.Entry<String, HostRule>> wildcards,
      List<AddressRule> addresses, Map<InetSocketAddress, ServiceTarget.Pinned> endpoints) {
    this.exact = Map.copyOf(exact);
    this.wildcards = List.copyOf(wildcards);
    this.addresses = List.copyOf(addresses);
    this.endpoints = Map.copyOf(endpoints);
  }

  /**
   * @param host a host name (any case, optionally with a trailing dot) or an IPv4/IPv6 literal
   * @param port the destination port the client asked for
   * @return where the connection goes, or empty when nothing in the mesh allows it
   */
  public Optional<ServiceTarget> resolve(String host, int port) {
    if (host == null || host.isEmpty() || port < 1 || port > 65535) {
      return Optional.empty();
    }
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(literal);
    if (ip != null) {
      return resolveAddress(literal, ip, port);
    }
    String name = host.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    HostRule rule = exact.get(name);
    if (rule == null) {
      for (Map.Entry<String, HostRule> w : wildcards) {
        if (name.endsWith(w.getKey()) && name.length() > w.getKey().length()) {
          rule = w.getValue();
          break;
        }
      }
    }
    return rule == null ? Optional.empty() : apply(rule, InetSocketAddress.createUnresolved(name, port));
  }

  private Optional<ServiceTarget> resolveAddress(String literal, byte[] ip, int port) {
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(InetAddress.getByAddress(literal, ip), port);
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
    ServiceTarget.Pinned pinned = endpoints.get(new InetSocketAddress(address.getAddress(), port));
    if (pinned != null) {
      return Optional.of(pinned);
    }
    for (AddressRule a : addresses) {
      if (a.contains(ip)) {
        return apply(a.rule(), address);
      }
    }
    return Optional.empty();
  }

  private static Optional<ServiceTarget> apply(HostRule rule, InetSocketAddress requested) {
    int port = requested.getPort();
    return switch (rule) {
      case HostRule.Clusters(Map<Integer, Cluster> byPort, Cluster anyPort) -> {
        Cluster c = byPort.getOrDefault(port, anyPort);
        yield c == null ? Optional.empty() : Optional.of(new ServiceTarget.Balanced(c));
      }
      case HostRule.Passthrough(Set<Integer> ports, String origin) -> ports.contains(port)
          ? Optional.of(new ServiceTarget.OriginalDestination(requested, origin))
          : Optional.empty();
    };
  }
}
