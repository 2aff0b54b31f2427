package io.meshwork.proxy.cluster;

import io.meshwork.proxy.admission.CircuitBreaker;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of interchangeable endpoints: one service host, optionally narrowed to one subset
 * (Envoy's cluster {@code outbound|port|subset|host}).
 *
 * @param name a stable name for logs and metrics, e.g. {@code outbound|80|v1|product-service}
 * @param host the service host the cluster serves
 * @param subset the DestinationRule subset name, or empty
 * @param endpoints the endpoints selected for this cluster; may be empty (requests get 503)
 * @param loadBalancer the policy that picks among {@code endpoints}
 * @param hashPolicy how to derive a consistent-hash key from a request, or {@link HashPolicy#NONE}
 * @param protocol how to speak to the endpoints
 * @param pool connection pool limits
 * @param tls how connections to the endpoints are secured
 * @param breaker the cluster's circuit breaker (connection-pool limits), shared by every event loop
 * @param health which endpoints outlier detection ejected, fed by every attempt's outcome
 */
public record Cluster(
    String name,
    String host,
    String subset,
    List<Endpoint> endpoints,
    LoadBalancer loadBalancer,
    HashPolicy hashPolicy,
    UpstreamProtocol protocol,
    ConnectionPoolSettings pool,
    UpstreamTls tls,
    CircuitBreaker breaker,
    EndpointHealth health) {

  public Cluster {
    endpoints = List.copyOf(endpoints);
    tls = tls == null ? UpstreamTls.PLAINTEXT : tls;
    breaker = breaker == null ? CircuitBreaker.unlimited() : breaker;
    health = health == null ? EndpointHealth.ALL_IN : health;
  }

  /** A cluster without circuit-breaking limits. */
  public Cluster(String name, String host, String subset, List<Endpoint> endpoints, LoadBalancer loadBalancer,
      HashPolicy hashPolicy, UpstreamProtocol protocol, ConnectionPoolSettings pool, UpstreamTls tls) {
    this(name, host, subset, endpoints, loadBalancer, hashPolicy, protocol, pool, tls, null, null);
  }

  /** A plaintext cluster. */
  public Cluster(String name, String host, String subset, List<Endpoint> endpoints, LoadBalancer loadBalancer,
      HashPolicy hashPolicy, UpstreamProtocol protocol, ConnectionPoolSettings pool) {
    this(name, host, subset, endpoints, loadBalancer, hashPolicy, protocol, pool, UpstreamTls.PLAINTEXT, null, null);
  }

  /**
   * Picks an endpoint for one attempt, or {@code null} when the cluster has no endpoint.
   *
   * @param hash the request's hash key (see {@link HashPolicy#hash}), ignored unless the cluster hashes
   * @param tried endpoints already used by earlier attempts of this request
   */
  public Endpoint pick(long hash, boolean hasHash, Set<Endpoint> tried) {
    if (endpoints.isEmpty()) {
      return null;
    }
    if (!health.anyEjected() || health.panic(endpoints)) {
      return loadBalancer.pick(endpoints, new PickRequest(hash, hasHash, tried));
    }
    // Ejected endpoints are avoided as tried ones are; balancers are built for the whole list.
    Set<Endpoint> avoid = new HashSet<>(tried);
    for (Endpoint e : endpoints) {
      if (health.isEjected(e)) {
        avoid.add(e);
      }
    }
    Endpoint chosen = loadBalancer.pick(endpoints, new PickRequest(hash, hasHash, avoid));
    if (!health.isEjected(chosen)) {
      return chosen;
    }
    for (Endpoint e : endpoints) {
      if (!health.isEjected(e)) {
        return e;
      }
    }
    return null;
  }
}
