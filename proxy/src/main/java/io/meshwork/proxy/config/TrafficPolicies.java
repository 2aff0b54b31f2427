package io.meshwork.proxy.config;

import io.meshwork.model.networking.ConsistentHashLB;
import io.meshwork.model.networking.HTTPSettings;
import io.meshwork.model.networking.LoadBalancerSettings;
import io.meshwork.model.networking.OutlierDetection;
import io.meshwork.model.networking.PortTrafficPolicy;
import io.meshwork.model.networking.ServicePort;
import io.meshwork.model.networking.TrafficPolicy;
import io.meshwork.proxy.admission.ConnectionLimits;
import io.meshwork.proxy.balancer.BalancerPolicy;
import io.meshwork.proxy.balancer.RequestHash;
import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.outlier.OutlierPolicy;
import io.meshwork.proxy.retry.RetryBudget;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Turns Istio TrafficPolicy values into the cluster's balancer, hash policy, protocol and pool settings. */
final class TrafficPolicies {
  private TrafficPolicies() {}

  /**
   * The policy in force for one port and subset. Istio: port-level settings override the policy they
   * sit in, and a subset's policy overrides the rule's, field by field.
   */
  static TrafficPolicy effective(TrafficPolicy rule, TrafficPolicy subset, int port) {
    TrafficPolicy tp = overlay(rule, portLevel(rule, port));
    return overlay(overlay(tp, subset), portLevel(subset, port));
  }

  private static TrafficPolicy portLevel(TrafficPolicy tp, int port) {
    if (tp == null) {
      return null;
    }
    for (PortTrafficPolicy p : tp.portLevelSettings()) {
      if (p.port() != null && p.port().number() != null && p.port().number() == port) {
        return new TrafficPolicy(p.loadBalancer(), p.connectionPool(), p.outlierDetection(), p.tls(), List.of(), null);
      }
    }
    return null;
  }

  private static TrafficPolicy overlay(TrafficPolicy base, TrafficPolicy over) {
    if (over == null) {
      return base;
    }
    if (base == null) {
      return over;
    }
    return new TrafficPolicy(
        over.loadBalancer() != null ? over.loadBalancer() : base.loadBalancer(),
        over.connectionPool() != null ? over.connectionPool() : base.connectionPool(),
        over.outlierDetection() != null ? over.outlierDetection() : base.outlierDetection(),
        over.tls() != null ? over.tls() : base.tls(),
        base.portLevelSettings(),
        over.retryBudget() != null ? over.retryBudget() : base.retryBudget());
  }

  /** Istio's default is LEAST_REQUEST; LEAST_CONN is the same balancer in Envoy. */
  static BalancerPolicy balancer(TrafficPolicy tp) {
    LoadBalancerSettings lb = tp == null ? null : tp.loadBalancer();
    if (lb == null) {
      return BalancerPolicy.DEFAULT;
    }
    ConsistentHashLB ch = lb.consistentHash();
    if (ch != null) {
      if (ch.maglev() != null) {
        Long size = ch.maglev().tableSize();
        return new BalancerPolicy.Maglev(size == null || size == 0 ? BalancerPolicy.Maglev.DEFAULT_TABLE_SIZE : Math.toIntExact(size));
      }
      Long min = ch.ringHash() != null ? ch.ringHash().minimumRingSize() : ch.minimumRingSize();
      return new BalancerPolicy.RingHash(min == null || min == 0 ? BalancerPolicy.RingHash.DEFAULT_MINIMUM_RING_SIZE : min);
    }
    if (lb.simple() == null) {
      return BalancerPolicy.DEFAULT;
    }
    return switch (lb.simple()) {
      case ROUND_ROBIN -> new BalancerPolicy.RoundRobin();
      case RANDOM -> new BalancerPolicy.Random();
      case LEAST_CONN, LEAST_REQUEST, UNSPECIFIED, PASSTHROUGH -> BalancerPolicy.DEFAULT;
    };
  }

  static HashPolicy hashPolicy(TrafficPolicy tp) {
    ConsistentHashLB ch = tp == null || tp.loadBalancer() == null ? null : tp.loadBalancer().consistentHash();
    if (ch == null) {
      return HashPolicy.NONE;
    }
    if (ch.httpHeaderName() != null) {
      return new RequestHash.Header(ch.httpHeaderName());
    }
    if (ch.httpCookie() != null) {
      return new RequestHash.Cookie(ch.httpCookie().name());
    }
    if (Boolean.TRUE.equals(ch.useSourceIp())) {
      return new RequestHash.SourceIp();
    }
    if (ch.httpQueryParameterName() != null) {
      return new RequestHash.QueryParameter(ch.httpQueryParameterName());
    }
    return HashPolicy.NONE;
  }

  /**
   * The protocol towards the endpoints, by Istio's protocol selection: HTTP/2 when the port says so
   * (protocol HTTP2/GRPC, or a name prefixed http2/grpc); for a port declared HTTP (protocol HTTP,
   * or a name {@code http} / {@code http-*}) HTTP/1.1, unless {@code useClientProtocol} asks for what
   * the caller spoke or {@code h2UpgradePolicy: UPGRADE} for HTTP/2; for a port of no declared
   * protocol what the caller spoke, as Istio does for detected protocols. Between sidecars the hop
   * is HTTP/2 whatever this says (UpstreamPools).
   */
  static UpstreamProtocol protocol(ServicePort port, TrafficPolicy tp) {
    String protocol = port.protocol() == null ? "" : port.protocol().toUpperCase(Locale.ROOT);
    String name = port.name() == null ? "" : port.name().toLowerCase(Locale.ROOT);
    if (protocol.equals("HTTP2") || protocol.equals("GRPC") || name.startsWith("http2") || name.startsWith("grpc")) {
      return UpstreamProtocol.HTTP2;
    }
    HTTPSettings http = tp == null || tp.connectionPool() == null ? null : tp.connectionPool().http();
    if (http != null && Boolean.TRUE.equals(http.useClientProtocol())) {
      return UpstreamProtocol.USE_DOWNSTREAM;
    }
    if (http != null && http.h2UpgradePolicy() != null) {
      switch (http.h2UpgradePolicy()) {
        case UPGRADE -> {
          return UpstreamProtocol.HTTP2;
        }
        case DO_NOT_UPGRADE -> {
          return UpstreamProtocol.HTTP1;
        }
        case DEFAULT -> { }
      }
    }
    boolean declaredHttp = protocol.equals("HTTP") || name.equals("http") || name.startsWith("http-");
    return declaredHttp ? UpstreamProtocol.HTTP1 : UpstreamProtocol.USE_DOWNSTREAM;
  }

  /**
   * The circuit-breaking limits (Istio ConnectionPoolSettings): unset fields are unlimited, as Istio
   * programs Envoy with 2^32-1 (and so is 0); the pending wait is bounded by {@code tcp.connectTimeout}.
   *
   * @param field the policy's field path, for messages
   */
  static ConnectionLimits limits(TrafficPolicy tp, String field) {
    var cp = tp == null ? null : tp.connectionPool();
    if (cp == null) {
      return ConnectionLimits.NONE;
    }
    var tcp = cp.tcp();
    var http = cp.http();
    try {
      return new ConnectionLimits(
          limit(tcp == null ? null : tcp.maxConnections()),
          limit(http == null ? null : http.http1MaxPendingRequests()),
          limit(http == null ? null : http.http2MaxRequests()),
          limit(http == null ? null : http.maxRetries()),
          tcp != null && tcp.connectTimeout() != null ? tcp.connectTimeout() : ConnectionPoolSettings.DEFAULT.connectTimeout());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ".connectionPool." + e.getMessage(), e);
    }
  }

  /** The retry budget (Istio {@code trafficPolicy.retryBudget}) with Istio's defaults, or null when unset. */
  static RetryBudget retryBudget(TrafficPolicy tp) {
    var b = tp == null ? null : tp.retryBudget();
    if (b == null) {
      return null;
    }
    return new RetryBudget(b.percent() == null ? RetryBudget.DEFAULT_PERCENT : b.percent(),
        // A plain uint32 in Istio's API: 0 cannot be told from unset, and takes the default.
        b.minRetryConcurrency() == null || b.minRetryConcurrency() <= 0
            ? RetryBudget.DEFAULT_MIN_RETRY_CONCURRENCY : b.minRetryConcurrency());
  }

  /** Istio programs a limit only when it is above 0; 0 means unset. */
  private static int limit(Integer value) {
    return value == null || value <= 0 ? ConnectionLimits.UNLIMITED : value;
  }

  /**
   * Outlier detection (Istio OutlierDetection), or null when the policy has none. Unset fields take
   * Istio's defaults: consecutive5xxErrors 5 (or the deprecated consecutiveErrors), gateway errors
   * off, interval 10 s, baseEjectionTime 30 s, maxEjectionPercent 10, minHealthPercent 0.
   */
  static OutlierPolicy outliers(TrafficPolicy tp, String field) {
    return outliers(tp, field, Map.of());
  }

  /** The prefix of the DestinationRule annotations that turn on Envoy's interval-based detection. */
  static final String OUTLIER_ANNOTATION = "outlier.meshwork.io/";
  private static final Set<String> OUTLIER_ANNOTATIONS = Set.of("failure-percentage-threshold",
      "failure-percentage-minimum-hosts", "failure-percentage-request-volume", "success-rate-stdev-factor",
      "success-rate-minimum-hosts", "success-rate-request-volume");

  /**
   * As {@link #outliers(TrafficPolicy, String)}, with Envoy's failure-percentage and success-rate detection from the
   * rule's {@code outlier.meshwork.io/*} annotations (Istio's API has no field for them; annotations keep the YAML
   * valid for Istio).
   */
  static OutlierPolicy outliers(TrafficPolicy tp, String field, Map<String, String> annotations) {
    OutlierDetection od = tp == null ? null : tp.outlierDetection();
    if (od == null) {
      return null;
    }
    Integer c5xx = od.consecutive5xxErrors() != null ? od.consecutive5xxErrors() : od.consecutiveErrors();
    try {
      checkOutlierAnnotations(annotations);
      return new OutlierPolicy(
          c5xx == null ? 5 : c5xx,
          od.consecutiveGatewayErrors() == null ? 0 : od.consecutiveGatewayErrors(),
          od.interval() == null ? Duration.ofSeconds(10) : od.interval(),
          od.baseEjectionTime() == null ? Duration.ofSeconds(30) : od.baseEjectionTime(),
          OutlierPolicy.MAX_EJECTION,
          od.maxEjectionPercent() == null ? 10 : od.maxEjectionPercent(),
          od.minHealthPercent() == null ? 0 : od.minHealthPercent(),
          Boolean.TRUE.equals(od.splitExternalLocalOriginErrors()),
          od.consecutiveLocalOriginFailures() == null ? 5 : od.consecutiveLocalOriginFailures(),
          failurePercentage(annotations),
          successRate(annotations));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ".outlierDetection." + e.getMessage(), e);
    }
  }

  private static OutlierPolicy.FailurePercentage failurePercentage(Map<String, String> annotations) {
    String threshold = annotations.get(OUTLIER_ANNOTATION + "failure-percentage-threshold");
    if (threshold == null) {
      return null;
    }
    return new OutlierPolicy.FailurePercentage(integer(annotations, "failure-percentage-threshold", 0),
        integer(annotations, "failure-percentage-minimum-hosts", 5),
        integer(annotations, "failure-percentage-request-volume", 50));
  }

  private static OutlierPolicy.SuccessRate successRate(Map<String, String> annotations) {
    String factor = annotations.get(OUTLIER_ANNOTATION + "success-rate-stdev-factor");
    if (factor == null) {
      return null;
    }
    double f;
    try {
      f = Double.parseDouble(factor.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("success-rate-stdev-factor: " + factor + " (expected: a number, e.g. 1.9)"
          + " (annotation " + OUTLIER_ANNOTATION + "success-rate-stdev-factor)", e);
    }
    return new OutlierPolicy.SuccessRate(f, integer(annotations, "success-rate-minimum-hosts", 5),
        integer(annotations, "success-rate-request-volume", 100));
  }

  private static void checkOutlierAnnotations(Map<String, String> annotations) {
    for (String key : annotations.keySet()) {
      if (key.startsWith(OUTLIER_ANNOTATION) && !OUTLIER_ANNOTATIONS.contains(key.substring(OUTLIER_ANNOTATION.length()))) {
        throw new IllegalArgumentException(key.substring(OUTLIER_ANNOTATION.length()) + ": unknown (expected: one of "
            + new java.util.TreeSet<>(OUTLIER_ANNOTATIONS) + ") (annotation " + key + ")");
      }
    }
  }

  private static int integer(Map<String, String> annotations, String name, int otherwise) {
    String value = annotations.get(OUTLIER_ANNOTATION + name);
    if (value == null) {
      return otherwise;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: an integer) (annotation "
          + OUTLIER_ANNOTATION + name + ")", e);
    }
  }

  static ConnectionPoolSettings pool(TrafficPolicy tp) {
    var cp = tp == null ? null : tp.connectionPool();
    if (cp == null) {
      return ConnectionPoolSettings.DEFAULT;
    }
    ConnectionPoolSettings d = ConnectionPoolSettings.DEFAULT;
    var connect = cp.tcp() != null && cp.tcp().connectTimeout() != null ? cp.tcp().connectTimeout() : d.connectTimeout();
    var idle = cp.http() != null && cp.http().idleTimeout() != null ? cp.http().idleTimeout() : d.idleTimeout();
    int maxRequests = cp.http() != null && cp.http().maxRequestsPerConnection() != null
        ? Math.max(0, cp.http().maxRequestsPerConnection())
        : d.maxRequestsPerConnection();
    var tcp = cp.tcp();
    ConnectionPoolSettings.Keepalive keepalive = tcp == null || tcp.tcpKeepalive() == null ? null
        : new ConnectionPoolSettings.Keepalive(tcp.tcpKeepalive().probes(), tcp.tcpKeepalive().time(),
            tcp.tcpKeepalive().interval());
    int streams = cp.http() != null && cp.http().maxConcurrentStreams() != null
        ? Math.max(0, cp.http().maxConcurrentStreams()) : 0;
    return new ConnectionPoolSettings(connect, idle, maxRequests, keepalive,
        tcp == null ? null : tcp.maxConnectionDuration(), streams, tcp == null ? null : tcp.idleTimeout());
  }
}
