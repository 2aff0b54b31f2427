package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.List;

/**
 * Istio Server of a Gateway.
 *
 * @param port required
 * @param hosts required, "namespace/host" or "host"
 * @param tls or null
 */
public record Server(
    ServicePort port, String bind, List<String> hosts, ServerTLSSettings tls, String defaultEndpoint, String name) {
  public Server {
    hosts = Copies.list(hosts);
  }
}
