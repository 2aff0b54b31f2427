package io.meshwork.proxy.telemetry;

import io.meshwork.proxy.tcp.TcpTraffic;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Istio's standard metrics with Istio's label sets: for HTTP {@code istio_requests_total}, {@code
 * istio_request_duration_milliseconds}, {@code istio_request_bytes} and {@code istio_response_bytes}; for
 * opaque TCP (SOCKS5 and CONNECT tunnels) {@code istio_tcp_sent_bytes_total}, {@code
 * istio_tcp_received_bytes_total}, {@code istio_tcp_connections_opened_total} and {@code
 * istio_tcp_connections_closed_total}; plus the sidecar's own {@code meshwork_} counters. One instance per sidecar,
 * shared by its event loops; recording is lock-free (the Prometheus client's data points).
 */
public final class IstioMetrics {
  /** Envoy's default histogram buckets, in milliseconds, as Istio's dashboards expect them. */
  static final double[] DURATION_BUCKETS_MS = {
      0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
      3600000};

  /** Istio's label names for the request metrics, in the order {@link Labels#values()} gives them. */
  static final String[] LABELS = {
      "reporter", "source_workload", "source_workload_namespace", "source_principal", "source_app",
      "source_version", "source_canonical_service", "source_canonical_revision", "source_cluster",
      "destination_workload", "destination_workload_namespace", "destination_principal", "destination_app",
      "destination_version", "destination_service", "destination_service_name", "destination_service_namespace",
      "destination_canonical_service", "destination_canonical_revision", "destination_cluster",
      "request_protocol", "response_code", "grpc_response_status", "response_flags",
      "connection_security_policy"};

  /**
   * Istio's label names for the TCP metrics: the request labels without {@code response_code} and
   * {@code grpc_response_status}, in the order {@link #tcpLabels(Labels)} gives them.
   */
  static final String[] TCP_LABELS = Arrays.stream(LABELS)
      .filter(l -> !l.equals("response_code") && !l.equals("grpc_response_status")).toArray(String[]::new);

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Histogram duration;
  private final Histogram requestBytes;
  private final Histogram responseBytes;
  private final Counter tcpSent;
  private final Counter tcpReceived;
  private final Counter tcpOpened;
  private final Counter tcpClosed;
  private final Counter seriesOverflow;
  private final Counter accessLogDropped;
  private final Counter accessLogWriteFailures;
  private final Counter accessLogOpenFailures;

  public IstioMetrics() {
    requests = Counter.builder().name("istio_requests_total").help("Requests handled, by Istio's standard labels")
        .labelNames(LABELS).register(registry);
    duration = Histogram.builder().name("istio_request_duration_milliseconds")
        .help("Request duration in milliseconds, by Istio's standard labels")
        .labelNames(LABELS).classicOnly().classicUpperBounds(DURATION_BUCKETS_MS).register(registry);
    // Istio records body sizes in Envoy's default histogram buckets too.
    requestBytes = Histogram.builder().name("istio_request_bytes")
        .help("HTTP request body sizes in bytes, by Istio's standard labels")
        .labelNames(LABELS).classicOnly().classicUpperBounds(DURATION_BUCKETS_MS).register(registry);
    responseBytes = Histogram.builder().name("istio_response_bytes")
        .help("HTTP response body sizes in bytes, by Istio's standard labels")
        .labelNames(LABELS).classicOnly().classicUpperBounds(DURATION_BUCKETS_MS).register(registry);
    tcpSent = Counter.builder().name("istio_tcp_sent_bytes_total")
        .help("Bytes sent to the downstream on TCP connections, by Istio's standard labels")
        .labelNames(TCP_LABELS).register(registry);
    tcpReceived = Counter.builder().name("istio_tcp_received_bytes_total")
        .help("Bytes received from the downstream on TCP connections, by Istio's standard labels")
        .labelNames(TCP_LABELS).register(registry);
    tcpOpened = Counter.builder().name("istio_tcp_connections_opened_total")
        .help("TCP connections opened, by Istio's standard labels").labelNames(TCP_LABELS).register(registry);
    tcpClosed = Counter.builder().name("istio_tcp_connections_closed_total")
        .help("TCP connections closed, by Istio's standard labels").labelNames(TCP_LABELS).register(registry);
    seriesOverflow = Counter.builder().name("meshwork_telemetry_series_overflow_total")
        .help("Requests not recorded in the Istio metrics because the series cap was reached").register(registry);
    accessLogDropped = Counter.builder().name("meshwork_access_log_dropped_total")
        .help("Access-log lines dropped because the writer's queue was full").register(registry);
    accessLogWriteFailures = Counter.builder().name("meshwork_access_log_write_failures_total")
        .help("Access-log writes that failed (a full disk, a closed pipe)").register(registry);
    accessLogOpenFailures = Counter.builder().name("meshwork_access_log_open_failures_total")
        .help("Access-log files that could not be opened").register(registry);
  }

  CounterDataPoint accessLogDropped() {
    return accessLogDropped;
  }

  CounterDataPoint accessLogWriteFailures() {
    return accessLogWriteFailures;
  }

  CounterDataPoint accessLogOpenFailures() {
    return accessLogOpenFailures;
  }

  /** One series of the request metrics: the data points a request with these labels updates. */
  public Series series(Labels labels) {
    String[] v = labels.values();
    return new Series(requests.labelValues(v), duration.labelValues(v), requestBytes.labelValues(v),
        responseBytes.labelValues(v));
  }

  /** One series of the TCP metrics, from the request labels of the same destination (code and gRPC status dropped). */
  public TcpSeries tcpSeries(Labels labels) {
    String[] v = tcpLabels(labels);
    return new TcpSeries(tcpOpened.labelValues(v), tcpClosed.labelValues(v), tcpReceived.labelValues(v),
        tcpSent.labelValues(v));
  }

  static String[] tcpLabels(Labels labels) {
    String[] out = new String[TCP_LABELS.length];
    int j = 0;
    for (int i = 0; i < LABELS.length; i++) {
      if (LABELS[i].equals("response_code") || LABELS[i].equals("grpc_response_status")) {
        continue;
      }
      out[j++] = LABELS[i].equals("request_protocol") ? "tcp" : labels.values()[i];
    }
    return out;
  }

  void overflowed() {
    seriesOverflow.inc();
  }

  /**
   * The registry in the format {@code accept} asks for: OpenMetrics when the Accept header names it,
   * the Prometheus text format (0.0.4) otherwise.
   */
  public Scrape scrape(String accept) {
    ExpositionFormatWriter writer = FORMATS.findWriter(accept);
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Scrape(writer.getContentType(), out.toByteArray());
  }

  private static final ExpositionFormats FORMATS = ExpositionFormats.init();

  /** A scrape's body and its content type. */
  public record Scrape(String contentType, byte[] body) {}

  /** The data points of one label tuple, resolved once and updated without lookups. */
  public record Series(CounterDataPoint count, DistributionDataPoint durationMs, DistributionDataPoint requestBytes,
      DistributionDataPoint responseBytes) {
    public void record(long durationNanos, long requestBodyBytes, long responseBodyBytes) {
      count.inc();
      durationMs.observe(durationNanos / 1_000_000.0);
      requestBytes.observe(requestBodyBytes);
      responseBytes.observe(responseBodyBytes);
    }
  }

  /** The TCP data points of one destination, resolved once; a splice updates them without lookups. */
  public static final class TcpSeries implements TcpTraffic {
    private final CounterDataPoint opened;
    private final CounterDataPoint closed;
    private final CounterDataPoint received;
    private final CounterDataPoint sent;

    TcpSeries(CounterDataPoint opened, CounterDataPoint closed, CounterDataPoint received, CounterDataPoint sent) {
      this.opened = opened;
      this.closed = closed;
      this.received = received;
      this.sent = sent;
    }

    @Override
    public void opened() {
      opened.inc();
    }

    @Override
    public void received(int bytes) {
      received.inc(bytes);
    }

    @Override
    public void sent(int bytes) {
      sent.inc(bytes);
    }

    @Override
    public void closed() {
      closed.inc();
    }
  }

  /** The values of {@link #LABELS} for one series. */
  public record Labels(String... values) {
    public Labels {
      if (values.length != LABELS.length) {
        throw new IllegalArgumentException("values: " + values.length + " (expected: " + LABELS.length + ")");
      }
    }
  }
}
