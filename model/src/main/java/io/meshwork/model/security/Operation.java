package io.meshwork.model.security;

import io.meshwork.model.internal.Copies;
import java.util.List;

/**
 * Istio Operation: every non-empty field must match. Paths and hosts match exactly, or with one
 * {@code *} at the start (suffix match) or end (prefix match).
 */
public record Operation(
    List<String> hosts,
    List<String> notHosts,
    List<String> ports,
    List<String> notPorts,
    List<String> methods,
    List<String> notMethods,
    List<String> paths,
    List<String> notPaths) {
  public Operation {
    hosts = Copies.list(hosts);
    notHosts = Copies.list(notHosts);
    ports = Copies.list(ports);
    notPorts = Copies.list(notPorts);
    methods = Copies.list(methods);
    notMethods = Copies.list(notMethods);
    paths = Copies.list(paths);
    notPaths = Copies.list(notPaths);
  }
}
