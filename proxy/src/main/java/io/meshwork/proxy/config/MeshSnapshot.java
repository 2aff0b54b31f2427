package io.meshwork.proxy.config;

import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.dapr.DaprComponents;
import io.meshwork.proxy.egress.OutboundTrafficPolicy;
import io.meshwork.proxy.ratelimit.RateLimits;
import io.meshwork.proxy.route.RouteTable;
import io.meshwork.proxy.telemetry.AccessLogConfig;
import java.util.List;
import java.util.Map;

/**
 * Everything a running sidecar needs to route traffic, compiled from resources and swapped in
 * atomically; requests finish on the snapshot they started with.
 *
 * @param version increases with every swap; the control plane revision when there is one
 * @param outbound routes for traffic the local app sends to other services
 * @param clusters every cluster, by name, for the admin API and metrics
 * @param notices human-readable notes from compilation (unsupported fields, ignored resources)
 * @param summary a JSON-friendly view of the snapshot for the admin {@code /config} endpoint
 * @param services host and port → destination for opaque TCP ways in (the SOCKS5 port)
 * @param security the local workload's mTLS and inbound policies
 * @param outboundTrafficPolicy what the HTTP proxy port does with hosts outside the registry (Istio
 *     meshConfig {@code outboundTrafficPolicy.mode}); ALLOW_ANY when null
 * @param rateLimits the local workload's rate limits (RateLimitPolicy)
 * @param dapr the Dapr components the local app may use
 * @param accessLog the access log (meshConfig {@code accessLogFile}, {@code accessLogEncoding},
 *     {@code accessLogFormat}), its format compiled; off when null
 */
public record MeshSnapshot(
    long version,
    RouteTable outbound,
    Map<String, Cluster> clusters,
    List<String> notices,
    Map<String, Object> summary,
    ServiceDirectory services,
    WorkloadSecurity security,
    OutboundTrafficPolicy outboundTrafficPolicy,
    RateLimits rateLimits,
    DaprComponents dapr,
    AccessLogConfig accessLog) {

  public MeshSnapshot {
    accessLog = accessLog == null ? AccessLogConfig.OFF : accessLog;
    services = services == null ? ServiceDirectory.EMPTY : services;
    security = security == null ? WorkloadSecurity.OPEN : security;
    outboundTrafficPolicy = outboundTrafficPolicy == null ? OutboundTrafficPolicy.DEFAULT : outboundTrafficPolicy;
    rateLimits = rateLimits == null ? RateLimits.NONE : rateLimits;
    dapr = dapr == null ? DaprComponents.NONE : dapr;
  }

  /** A snapshot with Istio's default outbound traffic policy (ALLOW_ANY), no rate limits and no Dapr components. */
  public MeshSnapshot(long version, RouteTable outbound, Map<String, Cluster> clusters, List<String> notices,
      Map<String, Object> summary, ServiceDirectory services, WorkloadSecurity security) {
    this(version, outbound, clusters, notices, summary, services, security, null, null, null, null);
  }

  /** A snapshot with only an outbound traffic policy beyond the defaults. */
  public MeshSnapshot(long version, RouteTable outbound, Map<String, Cluster> clusters, List<String> notices,
      Map<String, Object> summary, ServiceDirectory services, WorkloadSecurity security,
      OutboundTrafficPolicy outboundTrafficPolicy) {
    this(version, outbound, clusters, notices, summary, services, security, outboundTrafficPolicy, null, null, null);
  }

  /** A snapshot with only rate limits beyond the defaults. */
  public MeshSnapshot(long version, RouteTable outbound, Map<String, Cluster> clusters, List<String> notices,
      Map<String, Object> summary, ServiceDirectory services, WorkloadSecurity security, RateLimits rateLimits) {
    this(version, outbound, clusters, notices, summary, services, security, null, rateLimits, null, null);
  }

  /** A snapshot with only Dapr components beyond the defaults. */
  public MeshSnapshot(long version, RouteTable outbound, Map<String, Cluster> clusters, List<String> notices,
      Map<String, Object> summary, ServiceDirectory services, WorkloadSecurity security, DaprComponents dapr) {
    this(version, outbound, clusters, notices, summary, services, security, null, null, dapr, null);
  }

  /** A snapshot with no security policy for the local workload. */
  public MeshSnapshot(long version, RouteTable outbound, Map<String, Cluster> clusters, List<String> notices,
      Map<String, Object> summary, ServiceDirectory services) {
    this(version, outbound, clusters, notices, summary, services, WorkloadSecurity.OPEN);
  }

  /** A snapshot without TCP destinations: every SOCKS target is refused. */
  public MeshSnapshot(long version, RouteTable outbound, Map<String, Cluster> clusters, List<String> notices,
      Map<String, Object> summary) {
    this(version, outbound, clusters, notices, summary, ServiceDirectory.EMPTY, WorkloadSecurity.OPEN);
  }
}
