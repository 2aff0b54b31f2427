package io.meshwork.proxy.config;

import io.meshwork.model.codec.DurationFormat;
import io.meshwork.proxy.admission.CircuitBreaker;
import io.meshwork.proxy.balancer.RequestHash;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.outlier.OutlierDetector;
import io.meshwork.proxy.retry.RetryOn;
import io.meshwork.proxy.retry.RetryPolicy;
import io.meshwork.proxy.route.HeaderOps;
import io.meshwork.proxy.route.Route;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.route.UriRewrite;
import io.meshwork.proxy.route.VirtualHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The admin API's view of a snapshot: only strings, numbers, lists and maps, so any JSON writer can render it. */
final class SnapshotSummary {
  private SnapshotSummary() {}

  static Map<String, Object> of(long version, LocalService local, List<VirtualHost> hosts, Map<String, Cluster> clusters) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("version", version);
    out.put("service", Map.of("name", local.name(), "namespace", local.namespace()));
    List<Object> vhosts = new ArrayList<>();
    for (VirtualHost vh : hosts) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("name", vh.name());
      v.put("domains", vh.domains());
      v.put("routes", vh.routes().stream().map(SnapshotSummary::route).toList());
      vhosts.add(v);
    }
    out.put("virtualHosts", vhosts);
    Map<String, Object> cs = new LinkedHashMap<>();
    clusters.forEach((name, c) -> cs.put(name, cluster(c)));
    out.put("clusters", cs);
    return out;
  }

  private static Map<String, Object> route(Route route) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("name", route.name());
    switch (route.action()) {
      case RouteAction.Forward f -> {
        r.put("action", "forward");
        r.put("destinations", f.destinations().stream().map(d -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("cluster", d.cluster().name());
          m.put("weight", d.weight());
          return m;
        }).toList());
        r.put("timeout", duration(f.timeout()));
        r.put("retries", retries(f.retries()));
        if (f.uriRewrite() != null) {
          r.put("uriRewrite", switch (f.uriRewrite()) {
            case UriRewrite.Replace rep -> rep.uri();
            case UriRewrite.RegexReplace rx -> rx.match().pattern() + " -> " + rx.rewrite();
          });
        }
        if (f.authorityRewrite() != null) {
          r.put("authorityRewrite", f.authorityRewrite());
        }
        if (!f.requestHeaders().isEmpty() || !f.responseHeaders().isEmpty()) {
          r.put("requestHeaders", headers(f.requestHeaders()));
          r.put("responseHeaders", headers(f.responseHeaders()));
        }
      }
      case RouteAction.Redirect rd -> {
        r.put("action", "redirect");
        r.put("status", rd.status());
        if (rd.uri() != null) {
          r.put("uri", rd.uri());
        }
        if (rd.authority() != null) {
          r.put("authority", rd.authority());
        }
      }
      case RouteAction.DirectResponse dr -> {
        r.put("action", "directResponse");
        r.put("status", dr.status());
      }
    }
    return r;
  }

  private static Map<String, Object> retries(RetryPolicy p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("attempts", p.attempts());
    if (p.attempts() > 0) {
      m.put("perTryTimeout", duration(p.perTryTimeout()));
      m.put("retryOn", p.retryOn().stream().map(RetryOn::wireName).sorted().toList());
      m.put("retriableStatusCodes", p.retriableStatusCodes().stream().sorted().toList());
    }
    return m;
  }

  private static Map<String, Object> headers(HeaderOps ops) {
    return Map.of("set", ops.set(), "add", ops.add(), "remove", ops.remove());
  }

  private static Map<String, Object> cluster(Cluster c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host", c.host());
    m.put("subset", c.subset());
    m.put("lb", c.loadBalancer().toString());
    m.put("hash", c.hashPolicy() instanceof RequestHash h ? h.describe() : "none");
    m.put("protocol", c.protocol().name());
    m.put("connectTimeout", duration(c.pool().connectTimeout()));
    m.put("idleTimeout", duration(c.pool().idleTimeout()));
    m.put("maxRequestsPerConnection", c.pool().maxRequestsPerConnection());
    List<Object> eps = new ArrayList<>();
    for (Endpoint e : c.endpoints()) {
      Map<String, Object> em = new LinkedHashMap<>();
      em.put("address", e.authority());
      em.put("weight", e.weight());
      em.put("labels", e.labels());
      eps.add(em);
    }
    m.put("endpoints", eps);
    if (!c.breaker().limits().unlimited()) {
      m.put("circuitBreaker", new BreakerView(c.breaker()));
    }
    if (c.health() instanceof OutlierDetector d) {
      m.put("outlierDetection", new OutlierView(d));
    }
    return m;
  }

  /** A cluster's circuit breaker as /config shows it; the counters are read when the page is rendered. */
  public static final class BreakerView {
    private final CircuitBreaker breaker;

    BreakerView(CircuitBreaker breaker) {
      this.breaker = breaker;
    }

    public int getMaxConnections() {
      return breaker.limits().maxConnections();
    }

    public int getHttp1MaxPendingRequests() {
      return breaker.limits().maxPendingRequests();
    }

    public int getHttp2MaxRequests() {
      return breaker.limits().maxRequests();
    }

    public int getMaxRetries() {
      return breaker.limits().maxRetries();
    }

    public int getActive() {
      return breaker.active();
    }

    public int getPending() {
      return breaker.pending();
    }

    public long getOverflows() {
      return breaker.overflows();
    }

    public long getRetryOverflows() {
      return breaker.retryOverflows();
    }
  }

  /** A cluster's outlier detection as /config shows it; ejections are read when the page is rendered. */
  public static final class OutlierView {
    private final OutlierDetector detector;

    OutlierView(OutlierDetector detector) {
      this.detector = detector;
    }

    public int getConsecutive5xxErrors() {
      return detector.policy().consecutive5xx();
    }

    public int getConsecutiveGatewayErrors() {
      return detector.policy().consecutiveGateway();
    }

    public String getInterval() {
      return duration(detector.policy().interval());
    }

    public String getBaseEjectionTime() {
      return duration(detector.policy().baseEjection());
    }

    public int getMaxEjectionPercent() {
      return detector.policy().maxEjectionPercent();
    }

    public int getMinHealthPercent() {
      return detector.policy().minHealthPercent();
    }

    public long getEjections() {
      return detector.ejections();
    }

    public List<String> getEjected() {
      return detector.ejectedNow();
    }
  }

  private static String duration(Duration d) {
    return DurationFormat.format(d);
  }
}
