package io.meshwork.proxy.route;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;

/** What a matched route does with the request. */
public sealed interface RouteAction {

  /**
   * Forward to one of several weighted clusters (Istio {@code route}).
   *
   * @param destinations weighted choices; weights are positive
   * @param timeout bound on the whole request including retries, {@link Duration#ZERO} for none
   * @param retries the retry policy
   * @param uriRewrite replaces the matched prefix (or the whole path for exact/regex matches), or null
   * @param authorityRewrite replaces the Host/:authority, or null
   * @param requestHeaders applied to the request before forwarding (route-level then destination-level)
   * @param responseHeaders applied to the response before it is sent downstream
   * @param fault fault injection, {@link FaultPolicy#NONE} for none (timeout and retries are then off, as in Istio)
   * @param cors the route's {@code corsPolicy}, or null for none
   * @param mirrors where copies of the requests go (Istio {@code mirror} or {@code mirrors}); empty for none
   */
  record Forward(
      List<WeightedCluster> destinations,
      Duration timeout,
      RetryPolicy retries,
      UriRewrite uriRewrite,
      String authorityRewrite,
      HeaderOps requestHeaders,
      HeaderOps responseHeaders,
      FaultPolicy fault,
      CorsRules cors,
      List<Mirror> mirrors)
      implements RouteAction {
    public Forward {
      destinations = List.copyOf(destinations);
      fault = fault == null ? FaultPolicy.NONE : fault;
      mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
    }

    /** A route without a CORS policy or mirrors. */
    public Forward(List<WeightedCluster> destinations, Duration timeout, RetryPolicy retries, UriRewrite uriRewrite,
        String authorityRewrite, HeaderOps requestHeaders, HeaderOps responseHeaders, FaultPolicy fault) {
      this(destinations, timeout, retries, uriRewrite, authorityRewrite, requestHeaders, responseHeaders, fault, null,
          List.of());
    }

    /** A route without fault injection. */
    public Forward(List<WeightedCluster> destinations, Duration timeout, RetryPolicy retries, UriRewrite uriRewrite,
        String authorityRewrite, HeaderOps requestHeaders, HeaderOps responseHeaders) {
      this(destinations, timeout, retries, uriRewrite, authorityRewrite, requestHeaders, responseHeaders,
          FaultPolicy.NONE, null, List.of());
    }
  }

  /**
   * One mirror of a route: a share of its requests is copied to {@code cluster}, fire and forget.
   *
   * @param percent 0..100
   */
  record Mirror(Cluster cluster, double percent) {}

  /**
   * Answer with a redirect (Istio HTTPRedirect).
   *
   * @param uri replaces the path, or null to keep it
   * @param authority replaces the authority, or null to keep it
   * @param scheme replaces the scheme, or null to keep it
   * @param port replaces the port, or 0 to keep it
   * @param status 301 unless set
   */
  record Redirect(String uri, String authority, String scheme, int port, int status) implements RouteAction {}

  /** Answer without contacting an upstream (Istio HTTPDirectResponse). */
  record DirectResponse(int status, String body, HeaderOps responseHeaders) implements RouteAction {}

  /**
   * A weighted destination.
   *
   * @param cluster the cluster (service host and subset)
   * @param weight relative weight, > 0
   * @param requestHeaders destination-level request header operations
   * @param responseHeaders destination-level response header operations
   */
  record WeightedCluster(Cluster cluster, int weight, HeaderOps requestHeaders, HeaderOps responseHeaders) {}
}
