package io.meshwork.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.fixtures.PrometheusText;
import io.meshwork.proxy.tcp.TcpTraffic;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Istio's TCP metrics per destination cluster, resolved once per destination. */
class TcpTelemetryTest {
  final IstioMetrics metrics = new IstioMetrics();

  PrometheusText scrape() {
    return PrometheusText.parse(new String(metrics.scrape("text/plain").body(), StandardCharsets.UTF_8));
  }

  @Test
  void connectionsAndBytesAreCountedUnderIstiosTcpLabels() {
    TcpTelemetry tcp = new TcpTelemetry(metrics, TelemetryStageTest.ORDERS);
    TcpTraffic db = tcp.to("outbound|5432||db.shop.svc.cluster.local");
    assertThat(tcp.to("outbound|5432||db.shop.svc.cluster.local")).isSameAs(db);
    db.opened();
    db.received(100);
    db.sent(40);
    db.sent(2);
    db.closed();
    db.opened();

    PrometheusText text = scrape();
    Map<String, String> labels = Map.of("reporter", "source", "source_workload", "orders",
        "destination_service", "db.shop.svc.cluster.local", "destination_service_name", "db",
        "destination_service_namespace", "shop", "request_protocol", "tcp", "response_flags", "-");
    assertThat(text.sum("istio_tcp_connections_opened_total", labels)).isEqualTo(2);
    assertThat(text.sum("istio_tcp_connections_closed_total", labels)).isEqualTo(1);
    assertThat(text.sum("istio_tcp_received_bytes_total", labels)).isEqualTo(100);
    assertThat(text.sum("istio_tcp_sent_bytes_total", labels)).isEqualTo(42);
    PrometheusText.Sample s = text.samples("istio_tcp_sent_bytes_total").getFirst();
    assertThat(s.labels()).doesNotContainKeys("response_code", "grpc_response_status")
        .containsKeys("source_principal", "destination_canonical_service", "connection_security_policy");
    assertThat(s.labels().keySet()).containsExactlyInAnyOrder(IstioMetrics.TCP_LABELS);
  }
}
