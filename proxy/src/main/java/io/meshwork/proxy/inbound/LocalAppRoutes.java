package io.meshwork.proxy.inbound;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.forward.RequestUris;
import io.meshwork.proxy.forward.TargetResolver;
import io.meshwork.proxy.http.ErrorResponses;
import io.meshwork.proxy.retry.RetryOn;
import io.meshwork.proxy.retry.RetryPolicy;
import io.meshwork.proxy.route.HeaderOps;
import io.meshwork.proxy.route.Route;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.route.RouteDecision;
import io.meshwork.proxy.route.RouteMatch;
import io.meshwork.proxy.route.RouteTable;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The inbound port's fixed routing: everything goes to the local application at the sidecar's
 * target URL. HTTP/1.1 by default, since that is what most applications speak; gRPC requests go
 * as HTTP/2, which gRPC requires. A refused connection is tried once more (the application may
 * be restarting); nothing else is retried.
 */
public final class LocalAppRoutes {
  static final RetryPolicy CONNECT_RETRY_ONCE = new RetryPolicy(
      1, Duration.ZERO, Set.of(RetryOn.CONNECT_FAILURE), Set.of(),
      RetryPolicy.DEFAULT_BASE_INTERVAL, RetryPolicy.DEFAULT_BASE_INTERVAL.multipliedBy(10));

  private final String service;
  private final RouteDecision.Matched http1;
  private final RouteDecision.Matched grpc;

  /**
   * @param service the local service name, for cluster names and logs
   * @param target the application's base URL, {@code http://host:port}
   */
  public LocalAppRoutes(String service, URI target) {
    if (target == null || !"http".equalsIgnoreCase(target.getScheme()) || target.getHost() == null) {
      throw new IllegalArgumentException("target: " + target + " (expected: http://host:port)");
    }
    this.service = service;
    int port = target.getPort() > 0 ? target.getPort() : 80;
    Endpoint endpoint = new Endpoint(new InetSocketAddress(target.getHost(), port), Map.of(), 1);
    // Istio names the inbound cluster of a port inbound|<port>|| (no subset, no host); gRPC to the
    // same port only differs in the upstream protocol, so it carries the same name in logs and metrics.
    String name = "inbound|" + port + "||";
    this.http1 = decision(cluster(name, endpoint, UpstreamProtocol.HTTP1));
    this.grpc = decision(cluster(name, endpoint, UpstreamProtocol.HTTP2));
  }

  private Cluster cluster(String name, Endpoint endpoint, UpstreamProtocol protocol) {
    return new Cluster(name, service, "", List.of(endpoint), (endpoints, request) -> endpoints.get(0),
        HashPolicy.NONE, protocol, ConnectionPoolSettings.DEFAULT);
  }

  private static RouteDecision.Matched decision(Cluster cluster) {
    RouteAction.WeightedCluster destination = new RouteAction.WeightedCluster(cluster, 100, HeaderOps.NONE, HeaderOps.NONE);
    RouteAction.Forward forward = new RouteAction.Forward(
        List.of(destination), Duration.ZERO, CONNECT_RETRY_ONCE, null, null, HeaderOps.NONE, HeaderOps.NONE);
    return new RouteDecision.Matched(new Route("inbound", RouteMatch.ANY, forward), cluster, destination, "");
  }

  /** Every request to the local application. */
  public RouteTable routes() {
    return (request, host, port, path, random) -> ErrorResponses.isGrpc(request) ? grpc : http1;
  }

  /** The inbound target: the request's own Host is kept for the application. */
  public TargetResolver targets() {
    return request -> {
      String uri = request.uri();
      String originForm = RequestUris.isAbsolute(uri) ? uri.substring(RequestUris.pathStart(uri)) : uri;
      return new TargetResolver.Resolved(
          RequestUris.originForm(service, 0, null, originForm.isEmpty() ? "/" : originForm));
    };
  }

  public Cluster cluster() {
    return http1.cluster();
  }
}
