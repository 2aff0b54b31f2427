package io.meshwork.model.validation;

import static io.meshwork.model.validation.FieldPath.child;
import static io.meshwork.model.validation.FieldPath.index;

import io.meshwork.model.networking.ClientTLSSettings;
import io.meshwork.model.networking.ConnectionPoolSettings;
import io.meshwork.model.networking.ConsistentHashLB;
import io.meshwork.model.networking.DestinationRule;
import io.meshwork.model.networking.HTTPSettings;
import io.meshwork.model.networking.LoadBalancerSettings;
import io.meshwork.model.networking.LocalityLoadBalancerSetting;
import io.meshwork.model.networking.OutlierDetection;
import io.meshwork.model.networking.PortTrafficPolicy;
import io.meshwork.model.networking.Subset;
import io.meshwork.model.networking.TCPSettings;
import io.meshwork.model.networking.TrafficPolicy;
import java.util.HashSet;
import java.util.Set;

/** Istio's DestinationRule validation. */
final class DestinationRuleRules {
  private DestinationRuleRules() {}

  static void check(DestinationRule dr, String path, Findings f) {
    f.required(child(path, "host"), dr.host(), "the service host the rule applies to");
    trafficPolicy(dr.trafficPolicy(), child(path, "trafficPolicy"), f);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < dr.subsets().size(); i++) {
      Subset s = dr.subsets().get(i);
      String sp = index(child(path, "subsets"), i);
      if (f.required(child(sp, "name"), s.name(), "a DNS-1123 label such as v1")) {
        f.dnsLabel(child(sp, "name"), s.name());
        if (!names.add(s.name())) {
          f.error(child(sp, "name"), s.name(), "a subset name not used by an earlier subset");
        }
      }
      trafficPolicy(s.trafficPolicy(), child(sp, "trafficPolicy"), f);
    }
  }

  static void trafficPolicy(TrafficPolicy tp, String p, Findings f) {
    if (tp == null) {
      return;
    }
    loadBalancer(tp.loadBalancer(), child(p, "loadBalancer"), f);
    connectionPool(tp.connectionPool(), child(p, "connectionPool"), f);
    outlierDetection(tp.outlierDetection(), child(p, "outlierDetection"), f);
    tls(tp.tls(), child(p, "tls"), f);
    if (tp.retryBudget() != null) {
      f.percent(child(child(p, "retryBudget"), "percent"), tp.retryBudget().percent());
      f.nonNegative(child(child(p, "retryBudget"), "minRetryConcurrency"), tp.retryBudget().minRetryConcurrency());
    }
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < tp.portLevelSettings().size(); i++) {
      PortTrafficPolicy pt = tp.portLevelSettings().get(i);
      String pp = index(child(p, "portLevelSettings"), i);
      if (pt.port() == null || pt.port().number() == null) {
        f.missing(child(child(pp, "port"), "number"), "a port number 1..65535");
      } else {
        f.port(child(child(pp, "port"), "number"), pt.port().number());
        if (!ports.add(pt.port().number())) {
          f.error(child(child(pp, "port"), "number"), pt.port().number(), "a port without an earlier setting");
        }
      }
      loadBalancer(pt.loadBalancer(), child(pp, "loadBalancer"), f);
      connectionPool(pt.connectionPool(), child(pp, "connectionPool"), f);
      outlierDetection(pt.outlierDetection(), child(pp, "outlierDetection"), f);
      tls(pt.tls(), child(pp, "tls"), f);
    }
  }

  private static void loadBalancer(LoadBalancerSettings lb, String p, Findings f) {
    if (lb == null) {
      return;
    }
    if (lb.simple() != null && lb.consistentHash() != null) {
      f.describe(p, "both simple and consistentHash set", "at most one of simple and consistentHash");
    }
    f.duration(child(p, "warmupDurationSecs"), lb.warmupDurationSecs());
    ConsistentHashLB ch = lb.consistentHash();
    if (ch != null) {
      String cp = child(p, "consistentHash");
      Boolean sourceIp = Boolean.TRUE.equals(ch.useSourceIp()) ? Boolean.TRUE : null;
      int keys = Findings.count(ch.httpHeaderName(), ch.httpCookie(), sourceIp, ch.httpQueryParameterName());
      if (keys != 1) {
        f.describe(cp, keys + " hash keys set",
            "exactly one of httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName");
      }
      if (ch.httpHeaderName() != null) {
        f.headerName(child(cp, "httpHeaderName"), ch.httpHeaderName());
      }
      if (ch.httpCookie() != null) {
        f.required(child(child(cp, "httpCookie"), "name"), ch.httpCookie().name(), "a cookie name");
      }
      if (ch.ringHash() != null && ch.maglev() != null) {
        f.describe(cp, "both ringHash and maglev set", "at most one of ringHash and maglev");
      }
      f.nonNegative(child(cp, "minimumRingSize"), ch.minimumRingSize());
      if (ch.ringHash() != null) {
        f.nonNegative(child(child(cp, "ringHash"), "minimumRingSize"), ch.ringHash().minimumRingSize());
      }
      Long tableSize = ch.maglev() == null ? null : ch.maglev().tableSize();
      // Envoy caps the Maglev table at 5000011 entries; the cap also bounds the primality test.
      if (tableSize != null && (tableSize > 5_000_011L || !isPrime(tableSize))) {
        f.error(child(child(cp, "maglev"), "tableSize"), tableSize, "a prime number up to 5000011, such as 65537");
      }
    }
    locality(lb.localityLbSetting(), child(p, "localityLbSetting"), f);
  }

  private static void locality(LocalityLoadBalancerSetting l, String p, Findings f) {
    if (l == null) {
      return;
    }
    if (!l.distribute().isEmpty() && !l.failover().isEmpty()) {
      f.describe(p, "both distribute and failover set", "at most one of distribute and failover");
    }
    for (int i = 0; i < l.distribute().size(); i++) {
      var d = l.distribute().get(i);
      String dp = index(child(p, "distribute"), i);
      int total = d.to().values().stream().mapToInt(w -> w == null ? 0 : w).sum();
      if (total != 100) {
        f.describe(child(dp, "to"), "weights summing to " + total, "weights summing to 100");
      }
    }
  }

  private static void connectionPool(ConnectionPoolSettings cp, String p, Findings f) {
    if (cp == null) {
      return;
    }
    TCPSettings tcp = cp.tcp();
    if (tcp != null) {
      String tp = child(p, "tcp");
      f.nonNegative(child(tp, "maxConnections"), tcp.maxConnections());
      f.duration(child(tp, "connectTimeout"), tcp.connectTimeout());
      f.duration(child(tp, "maxConnectionDuration"), tcp.maxConnectionDuration());
      f.duration(child(tp, "idleTimeout"), tcp.idleTimeout());
      if (tcp.tcpKeepalive() != null) {
        String kp = child(tp, "tcpKeepalive");
        f.nonNegative(child(kp, "probes"), tcp.tcpKeepalive().probes());
        f.duration(child(kp, "time"), tcp.tcpKeepalive().time());
        f.duration(child(kp, "interval"), tcp.tcpKeepalive().interval());
      }
    }
    HTTPSettings http = cp.http();
    if (http != null) {
      String hp = child(p, "http");
      f.nonNegative(child(hp, "http1MaxPendingRequests"), http.http1MaxPendingRequests());
      f.nonNegative(child(hp, "http2MaxRequests"), http.http2MaxRequests());
      f.nonNegative(child(hp, "maxRequestsPerConnection"), http.maxRequestsPerConnection());
      f.nonNegative(child(hp, "maxRetries"), http.maxRetries());
      f.nonNegative(child(hp, "maxConcurrentStreams"), http.maxConcurrentStreams());
      f.duration(child(hp, "idleTimeout"), http.idleTimeout());
    }
  }

  private static void outlierDetection(OutlierDetection od, String p, Findings f) {
    if (od == null) {
      return;
    }
    f.nonNegative(child(p, "consecutiveErrors"), od.consecutiveErrors());
    f.nonNegative(child(p, "consecutive5xxErrors"), od.consecutive5xxErrors());
    f.nonNegative(child(p, "consecutiveGatewayErrors"), od.consecutiveGatewayErrors());
    f.nonNegative(child(p, "consecutiveLocalOriginFailures"), od.consecutiveLocalOriginFailures());
    f.duration(child(p, "interval"), od.interval());
    f.duration(child(p, "baseEjectionTime"), od.baseEjectionTime());
    f.range(child(p, "maxEjectionPercent"), od.maxEjectionPercent(), 0, 100, "a percentage 0..100");
    f.range(child(p, "minHealthPercent"), od.minHealthPercent(), 0, 100, "a percentage 0..100");
  }

  private static void tls(ClientTLSSettings tls, String p, Findings f) {
    if (tls == null) {
      return;
    }
    if (tls.mode() == ClientTLSSettings.TLSmode.MUTUAL && tls.credentialName() == null) {
      f.required(child(p, "clientCertificate"), tls.clientCertificate(),
          "a PEM certificate file for MUTUAL mode, or credentialName");
      f.required(child(p, "privateKey"), tls.privateKey(), "a PEM key file for MUTUAL mode, or credentialName");
    }
    if (tls.mode() == ClientTLSSettings.TLSmode.ISTIO_MUTUAL
        && (tls.clientCertificate() != null || tls.privateKey() != null || tls.caCertificates() != null
            || tls.credentialName() != null)) {
      f.describe(p, "certificate files set with ISTIO_MUTUAL",
          "no certificate fields: ISTIO_MUTUAL uses the mesh's own certificates");
    }
  }

  private static boolean isPrime(long n) {
    if (n < 2) {
      return false;
    }
    for (long d = 2; d * d <= n; d++) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }
}
