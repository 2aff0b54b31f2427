package io.meshwork.proxy.telemetry;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.stack.RequestRecord;
import io.meshwork.proxy.stack.RequestStage;
import io.meshwork.proxy.stack.StageRequest;
import io.meshwork.proxy.stack.StageVerdict;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records every request that ends in Istio's standard metrics, as the {@code source} reporter on the
 * caller's outbound ports or the {@code destination} reporter on the callee's inbound port. The label
 * values of a (cluster, code, flags, protocol) tuple are resolved once into a {@link IstioMetrics.Series};
 * later requests with the same tuple only look it up and increment. Distinct tuples are capped: past
 * {@link #MAX_SERIES}, a request is counted in {@code meshwork_telemetry_series_overflow_total} instead.
 */
public final class TelemetryStage implements RequestStage {
  static final int MAX_SERIES = 2048;
  private static final String UNKNOWN = "unknown";

  /** Which side of a call this sidecar reports. */
  public enum Reporter { SOURCE, DESTINATION }

  private final IstioMetrics metrics;
  private final Reporter reporter;
  private final Workload self;
  private final ConcurrentHashMap<Key, IstioMetrics.Series> series = new ConcurrentHashMap<>();

  public TelemetryStage(IstioMetrics metrics, Reporter reporter, Workload self) {
    this.metrics = metrics;
    this.reporter = reporter;
    this.self = self;
  }

  @Override
  public StageVerdict onRequest(StageRequest request) {
    return StageVerdict.NEXT;
  }

  @Override
  public void onEnd(RequestRecord record) {
    Key key = new Key(record.cluster(), record.status(), record.flagText(), record.grpc(), record.peer());
    IstioMetrics.Series s = series.get(key);
    if (s == null) {
      if (series.size() >= MAX_SERIES) {
        metrics.overflowed();
        return;
      }
      s = series.computeIfAbsent(key, k -> metrics.series(labels(k)));
    }
    s.record(record.durationNanos(), record.bytesReceived(), record.bytesSent());
  }

  record Key(String cluster, int status, String flags, boolean grpc, SpiffeId peer) {}

  IstioMetrics.Labels labels(Key k) {
    String host;
    String destName;
    String destNamespace;
    String destWorkload;
    String destWorkloadNamespace;
    String srcWorkload;
    String srcNamespace;
    String srcPrincipal;
    String destPrincipal;
    String srcApp;
    String srcVersion;
    String destApp;
    String destVersion;
    if (reporter == Reporter.SOURCE) {
      host = clusterHost(k.cluster());
      int dot = host == null ? -1 : host.indexOf('.');
      destName = host == null ? UNKNOWN : dot < 0 ? host : host.substring(0, dot);
      int dot2 = dot < 0 ? -1 : host.indexOf('.', dot + 1);
      destNamespace = dot < 0 ? UNKNOWN : dot2 < 0 ? host.substring(dot + 1) : host.substring(dot + 1, dot2);
      destWorkload = UNKNOWN;
      destWorkloadNamespace = UNKNOWN;
      destPrincipal = UNKNOWN;
      destApp = UNKNOWN;
      destVersion = UNKNOWN;
      srcWorkload = self.name();
      srcNamespace = self.namespace();
      srcPrincipal = or(self.principal());
      srcApp = or(self.app());
      srcVersion = or(self.version());
    } else {
      host = self.name() + "." + self.namespace() + ".svc.cluster.local";
      destName = self.name();
      destNamespace = self.namespace();
      destWorkload = self.name();
      destWorkloadNamespace = self.namespace();
      destPrincipal = or(self.principal());
      destApp = or(self.app());
      destVersion = or(self.version());
      // The peer's SPIFFE path is /ns/<namespace>/sa/<service-account>; the service account
      // defaults to the service name, which is the workload's name here.
      SpiffeId peer = k.peer();
      srcPrincipal = peer == null ? UNKNOWN : "spiffe://" + peer.trustDomain() + peer.path();
      srcNamespace = peer == null ? UNKNOWN : segmentAfter(peer.path(), "/ns/");
      srcWorkload = peer == null ? UNKNOWN : segmentAfter(peer.path(), "/sa/");
      srcApp = UNKNOWN;
      srcVersion = UNKNOWN;
    }
    String srcCanonical = reporter == Reporter.SOURCE ? or(self.app() == null ? self.name() : self.app()) : UNKNOWN;
    String srcRevision = reporter == Reporter.SOURCE ? or(self.version() == null ? "latest" : self.version()) : UNKNOWN;
    String destCanonical = reporter == Reporter.DESTINATION ? or(self.app() == null ? self.name() : self.app()) : destName;
    String destRevision = reporter == Reporter.DESTINATION ? or(self.version() == null ? "latest" : self.version()) : "latest";
    return new IstioMetrics.Labels(
        reporter == Reporter.SOURCE ? "source" : "destination",
        srcWorkload, srcNamespace, srcPrincipal, srcApp, srcVersion, srcCanonical, srcRevision, UNKNOWN,
        destWorkload, destWorkloadNamespace, destPrincipal, destApp, destVersion,
        host == null ? UNKNOWN : host, destName, destNamespace, destCanonical, destRevision, UNKNOWN,
        k.grpc() ? "grpc" : "http", Integer.toString(k.status()), k.grpc() ? UNKNOWN : "", k.flags(),
        reporter == Reporter.SOURCE ? UNKNOWN : k.peer() != null ? "mutual_tls" : "none");
  }

  /** The path segment after {@code marker} ({@code /ns/shop/sa/orders}, "/sa/" gives orders), or unknown. */
  static String segmentAfter(String path, String marker) {
    int i = path.indexOf(marker);
    if (i < 0) {
      return UNKNOWN;
    }
    int from = i + marker.length();
    int end = path.indexOf('/', from);
    String s = end < 0 ? path.substring(from) : path.substring(from, end);
    return s.isEmpty() ? UNKNOWN : s;
  }

  /** The host of an {@code outbound|port|subset|host} cluster name, the name itself otherwise. */
  static String clusterHost(String cluster) {
    if (cluster == null) {
      return null;
    }
    int bar = cluster.lastIndexOf('|');
    return bar < 0 ? cluster : cluster.substring(bar + 1);
  }

  private static String or(String value) {
    return value == null || value.isEmpty() ? UNKNOWN : value;
  }
}
