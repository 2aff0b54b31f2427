package io.meshwork.proxy;

import io.meshwork.proxy.admin.AdminAccess;
import io.meshwork.proxy.egress.OutboundTrafficPolicy;
import io.meshwork.proxy.outbound.OutboundCallers;
import io.meshwork.proxy.policy.ApiKeyCredentials;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * How a sidecar listens. Ports set to 0 are chosen free at start; {@link Sidecar} reports the
 * bound ones.
 *
 * @param service the local service name (a DNS label)
 * @param namespace the service's namespace, "default" when null
 * @param target the local application's base URL ({@code http://127.0.0.1:8080}), or null for
 *     none: then no inbound port is opened
 * @param bindAddress the address the inbound port binds (where peer sidecars reach it), 127.0.0.1 when null; the
 *     other ports stay on loopback, see {@link #localAddress()}
 * @param inboundPort the port taking traffic for the local application
 * @param httpPort the outbound HTTP proxy port
 * @param adminPort the admin port
 * @param upstreams service name → port, one outbound listener per entry ({@code --upstream NAME=PORT})
 * @param ioThreads event loop threads, 0 for one per available processor
 * @param socksPort the outbound SOCKS5 port; 0 picks a free one, {@link #NO_SOCKS} opens none
 * @param outboundCallers who may use the outbound HTTP and upstream ports (Otoroshi's SIDECAR_FROM)
 * @param outboundApiKey the API key presented on requests sent through the outbound ports
 *     (Otoroshi's SIDECAR_APIKEY_CLIENT_ID), or null for none
 * @param adminBindAddress the address the admin port binds, 127.0.0.1 when null: loopback unless
 *     asked otherwise, whatever {@code bindAddress} is
 * @param adminAccess who may use the admin port beyond {@code /ready}; loopback callers only when null
 * @param outboundTrafficPolicy this sidecar's treatment of hosts outside the registry, over the mesh's
 *     ({@code meshConfig.outboundTrafficPolicy}); null follows the mesh
 */
public record SidecarSettings(
    String service,
    String namespace,
    URI target,
    String bindAddress,
    int inboundPort,
    int httpPort,
    int adminPort,
    Map<String, Integer> upstreams,
    int ioThreads,
    int socksPort,
    OutboundCallers outboundCallers,
    ApiKeyCredentials outboundApiKey,
    String adminBindAddress,
    AdminAccess adminAccess,
    OutboundTrafficPolicy outboundTrafficPolicy) {

  /** {@link #socksPort()} value that opens no SOCKS5 port. */
  public static final int NO_SOCKS = -1;

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern SERVICE_HOST = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  public SidecarSettings {
    if (service == null || !DNS_LABEL.matcher(service).matches()) {
      throw new IllegalArgumentException("service: " + service + " (expected: a DNS label, e.g. orders)");
    }
    namespace = namespace == null ? "default" : namespace;
    if (!DNS_LABEL.matcher(namespace).matches()) {
      throw new IllegalArgumentException("namespace: " + namespace + " (expected: a DNS label, e.g. shop)");
    }
    if (target != null && (!"http".equalsIgnoreCase(target.getScheme()) || target.getHost() == null)) {
      throw new IllegalArgumentException("target: " + target + " (expected: http://host:port)");
    }
    bindAddress = bindAddress == null || bindAddress.isBlank() ? "127.0.0.1" : bindAddress;
    adminBindAddress = adminBindAddress == null || adminBindAddress.isBlank() ? "127.0.0.1" : adminBindAddress;
    adminAccess = adminAccess == null ? AdminAccess.LOOPBACK_ONLY : adminAccess;
    checkPort("inboundPort", inboundPort);
    checkPort("httpPort", httpPort);
    checkPort("adminPort", adminPort);
    upstreams = upstreams == null ? Map.of() : new TreeMap<>(upstreams);
    for (Map.Entry<String, Integer> e : upstreams.entrySet()) {
      if (e.getKey() == null || !SERVICE_HOST.matcher(e.getKey()).matches()) {
        throw new IllegalArgumentException("upstreams: " + e.getKey() + " (expected: a service host, e.g. products)");
      }
      checkPort("upstreams[" + e.getKey() + "]", e.getValue() == null ? -1 : e.getValue());
    }
    upstreams = Map.copyOf(upstreams);
    outboundCallers = outboundCallers == null ? OutboundCallers.LOOPBACK : outboundCallers;
    if (socksPort != NO_SOCKS) {
      checkPort("socksPort", socksPort);
    }
    if (ioThreads < 0) {
      throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0)");
    }
  }

  /** Settings whose admin port listens on loopback for loopback callers only. */
  public SidecarSettings(String service, String namespace, URI target, String bindAddress, int inboundPort,
      int httpPort, int adminPort, Map<String, Integer> upstreams, int ioThreads, int socksPort,
      OutboundCallers outboundCallers, ApiKeyCredentials outboundApiKey) {
    this(service, namespace, target, bindAddress, inboundPort, httpPort, adminPort, upstreams, ioThreads, socksPort,
        outboundCallers, outboundApiKey, null, null, null);
  }

  /** Settings that present no API key on outbound calls. */
  public SidecarSettings(String service, String namespace, URI target, String bindAddress, int inboundPort,
      int httpPort, int adminPort, Map<String, Integer> upstreams, int ioThreads, int socksPort,
      OutboundCallers outboundCallers) {
    this(service, namespace, target, bindAddress, inboundPort, httpPort, adminPort, upstreams, ioThreads, socksPort,
        outboundCallers, null, null, null, null);
  }

  /** The same settings presenting {@code key} on outbound calls (null for none). */
  public SidecarSettings withOutboundApiKey(ApiKeyCredentials key) {
    return new SidecarSettings(service, namespace, target, bindAddress, inboundPort, httpPort, adminPort, upstreams,
        ioThreads, socksPort, outboundCallers, key, adminBindAddress, adminAccess, outboundTrafficPolicy);
  }

  /** Settings without a SOCKS5 port. */
  public SidecarSettings(String service, String namespace, URI target, String bindAddress, int inboundPort,
      int httpPort, int adminPort, Map<String, Integer> upstreams, int ioThreads) {
    this(service, namespace, target, bindAddress, inboundPort, httpPort, adminPort, upstreams, ioThreads, NO_SOCKS,
        OutboundCallers.LOOPBACK);
  }

  /** A sidecar for {@code service} on free loopback ports, with no local application. */
  public static SidecarSettings defaults(String service) {
    return new SidecarSettings(service, null, null, null, 0, 0, 0, Map.of(), 0);
  }

  /**
   * The address of the outbound ports (HTTP proxy, SOCKS5, upstream ports) and the admin port. They serve the local
   * app and its operator only, so they stay on loopback whatever {@link #bindAddress()} the inbound port takes for
   * peers on other machines: the bind address itself when that is a loopback address, else 127.0.0.1.
   */
  public String localAddress() {
    return isLoopback(bindAddress) ? bindAddress : LOOPBACK;
  }

  private static final String LOOPBACK = "127.0.0.1";

  /** Whether {@code address} is a loopback literal or {@code localhost}; other host names are not looked up. */
  private static boolean isLoopback(String address) {
    if (address.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!address.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
      return false;
    }
    try {
      return java.net.InetAddress.getByName(address).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  public SidecarSettings withTarget(URI newTarget) {
    return new SidecarSettings(service, namespace, newTarget, bindAddress, inboundPort, httpPort, adminPort, upstreams, ioThreads, socksPort, outboundCallers, outboundApiKey, adminBindAddress, adminAccess, outboundTrafficPolicy);
  }

  public SidecarSettings withUpstreams(Map<String, Integer> newUpstreams) {
    return new SidecarSettings(service, namespace, target, bindAddress, inboundPort, httpPort, adminPort, newUpstreams, ioThreads, socksPort, outboundCallers, outboundApiKey, adminBindAddress, adminAccess, outboundTrafficPolicy);
  }

  /** The same settings with a SOCKS5 port (0 for a free one). */
  public SidecarSettings withSocksPort(int port) {
    return new SidecarSettings(service, namespace, target, bindAddress, inboundPort, httpPort, adminPort, upstreams, ioThreads, port, outboundCallers, outboundApiKey, adminBindAddress, adminAccess, outboundTrafficPolicy);
  }

  /** The same settings with another outbound caller policy (Otoroshi's SIDECAR_FROM and SIDECAR_STRICT). */
  public SidecarSettings withOutboundCallers(OutboundCallers callers) {
    return new SidecarSettings(service, namespace, target, bindAddress, inboundPort, httpPort, adminPort, upstreams,
        ioThreads, socksPort, callers, outboundApiKey, adminBindAddress, adminAccess, outboundTrafficPolicy);
  }

  /** The same settings with the admin port on {@code address} (null: loopback) guarded by {@code access}. */
  public SidecarSettings withAdmin(String address, AdminAccess access) {
    return new SidecarSettings(service, namespace, target, bindAddress, inboundPort, httpPort, adminPort, upstreams,
        ioThreads, socksPort, outboundCallers, outboundApiKey, address, access, outboundTrafficPolicy);
  }

  /** The same settings with this sidecar's own outbound traffic policy (null: the mesh's). */
  public SidecarSettings withOutboundTrafficPolicy(OutboundTrafficPolicy policy) {
    return new SidecarSettings(service, namespace, target, bindAddress, inboundPort, httpPort, adminPort, upstreams,
        ioThreads, socksPort, outboundCallers, outboundApiKey, adminBindAddress, adminAccess, policy);
  }

  public SidecarSettings withIoThreads(int threads) {
    return new SidecarSettings(service, namespace, target, bindAddress, inboundPort, httpPort, adminPort, upstreams, threads, socksPort, outboundCallers, outboundApiKey, adminBindAddress, adminAccess, outboundTrafficPolicy);
  }

  private static void checkPort(String field, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(field + ": " + port + " (expected: 0 for a free port, or 1..65535)");
    }
  }
}
