package io.meshwork.proxy.config;

import io.meshwork.model.Resource;
import io.meshwork.model.dapr.Component;
import io.meshwork.model.kube.IstioOperator;
import io.meshwork.model.networking.ConnectionPoolSettings;
import io.meshwork.model.networking.DestinationRule;
import io.meshwork.model.networking.LoadBalancerSettings;
import io.meshwork.model.networking.OutlierDetection;
import io.meshwork.model.networking.PortTrafficPolicy;
import io.meshwork.model.networking.Subset;
import io.meshwork.model.networking.TrafficPolicy;
import io.meshwork.model.networking.VirtualService;
import io.meshwork.model.validation.Violation;
import java.util.ArrayList;
import java.util.List;

/**
 * Names the fields we accept but do not enforce yet, one notice each, so an operator knows which
 * parts of a valid Istio resource have no effect in this mesh. The compile step puts them in every
 * snapshot's notices ({@code /config}); {@code meshwork apply} prints them at their file and line
 * through {@link #review}.
 */
public final class UnenforcedFields {
  static final String NOT_ENFORCED = "is accepted but not enforced yet";

  /** Where the findings go: a snapshot's {@link Notices}, or a list of violations for the parser. */
  interface Sink {
    void add(Resource<?> resource, String field, String message);

    default void notEnforced(Resource<?> resource, String field) {
      add(resource, field, NOT_ENFORCED);
    }
  }

  private UnenforcedFields() {}

  /** The accepted-but-unenforced fields of one resource, as notices with the field's path. */
  @SuppressWarnings("unchecked")
  public static List<Violation> review(Resource<?> resource) {
    List<Violation> found = new ArrayList<>();
    Sink sink = (r, field, message) -> found.add(Violation.notice(field, message));
    switch (resource.spec()) {
      case DestinationRule dr -> destinationRule((Resource<DestinationRule>) resource, sink);
      case VirtualService vs -> virtualService((Resource<VirtualService>) resource, sink);
      case IstioOperator iop -> istioOperator(resource, iop, sink);
      case Component c -> component((Resource<Component>) resource, sink);
      default -> { }
    }
    return found;
  }

  static void destinationRule(Resource<DestinationRule> dr, Notices notices) {
    destinationRule(dr, notices::add);
  }

  static void component(Resource<Component> c, Notices notices) {
    component(c, notices::add);
  }

  private static void component(Resource<Component> c, Sink notices) {
    if (c.spec().initTimeout() != null) {
      notices.notEnforced(c, "spec.initTimeout");
    }
    if (c.spec().ignoreErrors() != null) {
      notices.notEnforced(c, "spec.ignoreErrors");
    }
  }

  static void virtualService(Resource<VirtualService> vs, Notices notices) {
    virtualService(vs, notices::add);
  }

  private static void destinationRule(Resource<DestinationRule> dr, Sink notices) {
    trafficPolicy(dr, dr.spec().trafficPolicy(), "spec.trafficPolicy", notices);
    for (int i = 0; i < dr.spec().subsets().size(); i++) {
      Subset s = dr.spec().subsets().get(i);
      trafficPolicy(dr, s.trafficPolicy(), "spec.subsets[" + i + "].trafficPolicy", notices);
    }
    if (dr.spec().workloadSelector() != null) {
      notices.notEnforced(dr, "spec.workloadSelector");
    }
  }

  static void istioOperator(Resource<?> r, IstioOperator iop, Notices notices) {
    istioOperator(r, iop, notices::add);
  }

  /**
   * Enforced: outboundTrafficPolicy.mode, accessLogFile, accessLogEncoding and accessLogFormat
   * (MeshConfigs compiles them).
   */
  private static void istioOperator(Resource<?> r, IstioOperator iop, Sink notices) {
    if (iop.meshConfig() != null && Boolean.TRUE.equals(iop.meshConfig().enableTracing())) {
      notices.notEnforced(r, "spec.meshConfig.enableTracing");
    }
    if (iop.meshConfig() != null && iop.meshConfig().outboundTrafficPolicy() != null
        && !iop.meshConfig().outboundTrafficPolicy().egressProxy().isEmpty()) {
      notices.notEnforced(r, "spec.meshConfig.outboundTrafficPolicy.egressProxy");
    }
  }

  private static void virtualService(Resource<VirtualService> vs, Sink notices) {
    if (!vs.spec().tcp().isEmpty()) {
      notices.notEnforced(vs, "spec.tcp");
    }
    if (!vs.spec().tls().isEmpty()) {
      notices.notEnforced(vs, "spec.tls");
    }
  }

  private static void trafficPolicy(Resource<?> r, TrafficPolicy tp, String field, Sink notices) {
    if (tp == null) {
      return;
    }
    outlierDetection(r, tp.outlierDetection(), field + ".outlierDetection", notices);
    connectionPool(r, tp.connectionPool(), field + ".connectionPool", notices);
    loadBalancer(r, tp.loadBalancer(), field + ".loadBalancer", notices);
    for (int i = 0; i < tp.portLevelSettings().size(); i++) {
      PortTrafficPolicy p = tp.portLevelSettings().get(i);
      String pf = field + ".portLevelSettings[" + i + "]";
      outlierDetection(r, p.outlierDetection(), pf + ".outlierDetection", notices);
      connectionPool(r, p.connectionPool(), pf + ".connectionPool", notices);
      loadBalancer(r, p.loadBalancer(), pf + ".loadBalancer", notices);
    }
  }

  /**
   * Every connectionPool field is enforced: connectTimeout, tcpKeepalive, maxConnectionDuration, idleTimeout (TCP and
   * HTTP), maxRequestsPerConnection, maxConcurrentStreams and the circuit-breaking limits (tcp.maxConnections,
   * http.http1MaxPendingRequests, http.http2MaxRequests, http.maxRetries).
   */
  private static void connectionPool(Resource<?> r, ConnectionPoolSettings cp, String field, Sink notices) {}

  /** Every outlierDetection field is enforced. */
  private static void outlierDetection(Resource<?> r, OutlierDetection od, String field, Sink notices) {}

  private static void loadBalancer(Resource<?> r, LoadBalancerSettings lb, String field, Sink notices) {
    if (lb == null) {
      return;
    }
    check(r, lb.localityLbSetting(), field + ".localityLbSetting", notices);
    check(r, lb.warmupDurationSecs(), field + ".warmupDurationSecs", notices);
    if (lb.simple() == LoadBalancerSettings.SimpleLB.PASSTHROUGH) {
      notices.add(r, field + ".simple", "PASSTHROUGH is not supported yet; LEAST_REQUEST is used");
    }
    if (lb.consistentHash() != null && lb.consistentHash().httpCookie() != null
        && lb.consistentHash().httpCookie().ttl() != null) {
      // Envoy generates the cookie when a ttl is set; we only hash an existing one.
      notices.notEnforced(r, field + ".consistentHash.httpCookie.ttl");
    }
  }

  private static void check(Resource<?> r, Object value, String field, Sink notices) {
    if (value != null) {
      notices.notEnforced(r, field);
    }
  }
}
