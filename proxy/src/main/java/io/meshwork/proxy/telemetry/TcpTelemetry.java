package io.meshwork.proxy.telemetry;

import io.meshwork.proxy.tcp.TcpTraffic;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Istio's TCP metrics for the opaque ways out (the SOCKS5 port and CONNECT tunnels), reported by the
 * caller's sidecar ({@code reporter="source"}). A destination's series is resolved once, when its
 * first connection opens; later connections find it with one lookup per connection, and bytes update
 * its counters without any. Distinct destinations are capped as the request metrics are.
 */
public final class TcpTelemetry implements TcpTraffic.PerCluster {
  private final IstioMetrics metrics;
  /** Derives the label values exactly as the request metrics of the same sidecar do. */
  private final TelemetryStage labels;
  private final ConcurrentHashMap<String, IstioMetrics.TcpSeries> series = new ConcurrentHashMap<>();

  public TcpTelemetry(IstioMetrics metrics, Workload self) {
    this.metrics = metrics;
    this.labels = new TelemetryStage(metrics, TelemetryStage.Reporter.SOURCE, self);
  }

  @Override
  public TcpTraffic to(String cluster) {
    IstioMetrics.TcpSeries s = series.get(cluster);
    if (s == null) {
      if (series.size() >= TelemetryStage.MAX_SERIES) {
        metrics.overflowed();
        return TcpTraffic.NONE;
      }
      s = series.computeIfAbsent(cluster,
          c -> metrics.tcpSeries(labels.labels(new TelemetryStage.Key(c, 0, "-", false, null))));
    }
    return s;
  }
}
