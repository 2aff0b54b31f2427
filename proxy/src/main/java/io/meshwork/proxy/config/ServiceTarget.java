package io.meshwork.proxy.config;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.Endpoint;
import java.net.InetSocketAddress;

/**
 * Where an opaque TCP connection to a named host and port goes, as the {@link ServiceDirectory}
 * decides it: balanced over a mesh cluster, to one endpoint the client named by address, or to the
 * client's original destination (Istio ServiceEntry {@code resolution: NONE}).
 */
public sealed interface ServiceTarget {

  /** Short text for logs and the admin API. */
  String describe();

  /** The Istio cluster name connections to this target count under ({@code outbound|port|subset|host}). */
  String clusterName();

  /**
   * Any endpoint of the cluster, chosen by its load balancer.
   *
   * @param cluster the cluster of the service port the client asked for
   */
  record Balanced(Cluster cluster) implements ServiceTarget {
    @Override
    public String describe() {
      return cluster.name();
    }

    @Override
    public String clusterName() {
      return cluster.name();
    }
  }

  /**
   * One endpoint the client addressed directly by IP and port; balancing would defeat the
   * client's choice, so only this endpoint is tried.
   *
   * @param cluster the cluster the endpoint belongs to, for logs
   * @param endpoint the endpoint whose active count the connection holds
   */
  record Pinned(Cluster cluster, Endpoint endpoint) implements ServiceTarget {
    @Override
    public String describe() {
      return cluster.name() + " endpoint " + endpoint.authority();
    }

    @Override
    public String clusterName() {
      return cluster.name();
    }
  }

  /**
   * The address the client asked for, unchanged: Istio's {@code resolution: NONE} (the connection
   * is already resolved to its destination) and wildcard ServiceEntry hosts.
   *
   * @param address the requested address; unresolved when the client sent a host name
   * @param origin the ServiceEntry that allows it, for logs
   */
  record OriginalDestination(InetSocketAddress address, String origin) implements ServiceTarget {
    @Override
    public String describe() {
      return "original destination " + address.getHostString() + ":" + address.getPort() + " (" + origin + ")";
    }

    @Override
    public String clusterName() {
      return "outbound|" + address.getPort() + "||" + address.getHostString();
    }
  }
}
