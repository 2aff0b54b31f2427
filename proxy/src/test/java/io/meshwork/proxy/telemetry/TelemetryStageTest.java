package io.meshwork.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.stack.RequestRecord;
import io.meshwork.proxy.stack.ResponseFlag;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Istio's standard metrics from request records ended on a clock the test controls. */
class TelemetryStageTest {
  static final Workload ORDERS = new Workload("orders", "shop", "spiffe://cluster.local/ns/shop/sa/orders", null, null);
  static final Workload PRODUCTS = new Workload("products", "shop", "spiffe://cluster.local/ns/shop/sa/products", "products", "v1");

  final IstioMetrics metrics = new IstioMetrics();

  static RequestRecord ended(String cluster, int status, long startNanos, long durationNanos, SpiffeId peer,
      boolean grpc, ResponseFlag... flags) {
    RequestRecord r = new RequestRecord(startNanos);
    r.request("GET", "products", "/items", grpc);
    r.peer(peer);
    if (cluster != null) {
      r.routed(cluster);
    }
    for (ResponseFlag f : flags) {
      r.flag(f);
    }
    r.status(status);
    r.end(startNanos + durationNanos);
    return r;
  }

  String text() {
    return new String(metrics.scrape("text/plain").body(), StandardCharsets.UTF_8);
  }

  @Test
  void sourceReporterNamesTheCallerAndTheDestinationService() {
    TelemetryStage stage = new TelemetryStage(metrics, TelemetryStage.Reporter.SOURCE, ORDERS);
    stage.onEnd(ended("outbound|8080||products.shop.svc.cluster.local", 200, 1_000, 3_000_000, null, false));
    stage.onEnd(ended("outbound|8080||products.shop.svc.cluster.local", 200, 5_000, 7_000_000, null, false));

    String out = text();
    String series = out.lines().filter(l -> l.startsWith("istio_requests_total{")).findFirst().orElseThrow();
    assertThat(series)
        .contains("reporter=\"source\"", "source_workload=\"orders\"", "source_workload_namespace=\"shop\"",
            "source_principal=\"spiffe://cluster.local/ns/shop/sa/orders\"",
            "destination_service=\"products.shop.svc.cluster.local\"", "destination_service_name=\"products\"",
            "destination_service_namespace=\"shop\"", "request_protocol=\"http\"", "response_code=\"200\"",
            "response_flags=\"-\"", "connection_security_policy=\"unknown\"", "source_canonical_service=\"orders\"",
            "grpc_response_status=\"\"")
        .endsWith(" 2.0");
    // 3 ms and 7 ms: neither in le=1, both in le=10, one in le=5.
    assertThat(out).containsPattern("istio_request_duration_milliseconds_bucket\\{[^}]*le=\"1.0\"[^}]*} 0")
        .containsPattern("istio_request_duration_milliseconds_bucket\\{[^}]*le=\"5.0\"[^}]*} 1")
        .containsPattern("istio_request_duration_milliseconds_bucket\\{[^}]*le=\"10.0\"[^}]*} 2")
        .containsPattern("istio_request_duration_milliseconds_sum\\{[^}]*} 10.0")
        .contains("le=\"0.5\"", "le=\"3600000.0\"", "le=\"+Inf\"");
  }

  @Test
  void destinationReporterNamesThePeerAndMutualTls() {
    TelemetryStage stage = new TelemetryStage(metrics, TelemetryStage.Reporter.DESTINATION, PRODUCTS);
    stage.onEnd(ended("inbound|8080||products", 503, 0, 1_000_000, SpiffeId.of("spiffe://cluster.local/ns/shop/sa/orders"),
        false, ResponseFlag.UF));
    stage.onEnd(ended("inbound|8080||products", 200, 0, 1_000_000, null, true));

    String mtls = series("connection_security_policy=\"mutual_tls\"");
    assertThat(mtls).contains("reporter=\"destination\"", "source_workload=\"orders\"",
        "source_workload_namespace=\"shop\"", "source_principal=\"spiffe://cluster.local/ns/shop/sa/orders\"",
        "destination_workload=\"products\"", "destination_principal=\"spiffe://cluster.local/ns/shop/sa/products\"",
        "destination_app=\"products\"", "destination_version=\"v1\"", "destination_canonical_revision=\"v1\"",
        "destination_service=\"products.shop.svc.cluster.local\"", "response_code=\"503\"", "response_flags=\"UF\"");
    String plain = series("connection_security_policy=\"none\"");
    assertThat(plain).contains("source_principal=\"unknown\"", "request_protocol=\"grpc\"", "response_code=\"200\"");
  }

  @Test
  void aRequestThatNeverRoutedIsStillCountedWithItsFlag() {
    TelemetryStage stage = new TelemetryStage(metrics, TelemetryStage.Reporter.SOURCE, ORDERS);
    stage.onEnd(ended(null, 404, 0, 100_000, null, false, ResponseFlag.NR));
    assertThat(series("response_flags=\"NR\"")).contains("destination_service=\"unknown\"", "response_code=\"404\"");
  }

  @Test
  void seriesPastTheCapAreCountedAsOverflow() {
    TelemetryStage stage = new TelemetryStage(metrics, TelemetryStage.Reporter.SOURCE, ORDERS);
    for (int i = 0; i < TelemetryStage.MAX_SERIES + 5; i++) {
      stage.onEnd(ended("outbound|80||svc" + i + ".shop", 200, 0, 1, null, false));
    }
    String out = text();
    assertThat(out.lines().filter(l -> l.startsWith("istio_requests_total{")).count())
        .isEqualTo(TelemetryStage.MAX_SERIES);
    assertThat(out).contains("meshwork_telemetry_series_overflow_total 5.0");
  }

  @Test
  void openMetricsWhenAsked() {
    new TelemetryStage(metrics, TelemetryStage.Reporter.SOURCE, ORDERS)
        .onEnd(ended("outbound|80||products.shop", 200, 0, 1, null, false));
    IstioMetrics.Scrape om = metrics.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(om.contentType()).startsWith("application/openmetrics-text");
    assertThat(new String(om.body(), StandardCharsets.UTF_8)).endsWith("# EOF\n");
    assertThat(metrics.scrape(null).contentType()).startsWith("text/plain; version=0.0.4");
  }

  String series(String containing) {
    return text().lines().filter(l -> l.startsWith("istio_requests_total{") && l.contains(containing))
        .findFirst().orElseThrow(() -> new AssertionError("no series with " + containing + " in\n" + text()));
  }

  @Test
  void requestAndResponseBodySizesAreHistogramsWithTheSameLabels() {
    TelemetryStage stage = new TelemetryStage(metrics, TelemetryStage.Reporter.SOURCE, ORDERS);
    RequestRecord r = new RequestRecord(0);
    r.request("POST", "products", "/items", false);
    r.routed("outbound|8080||products.shop.svc.cluster.local");
    r.received(3);
    r.received(4);
    r.status(201);
    r.sent(2048);
    r.end(1_000_000);
    stage.onEnd(r);

    String out = text();
    assertThat(out).contains("# TYPE istio_request_bytes histogram", "# TYPE istio_response_bytes histogram")
        .containsPattern("istio_request_bytes_bucket\\{[^}]*response_code=\"201\"[^}]*le=\"5.0\"[^}]*} 0")
        .containsPattern("istio_request_bytes_bucket\\{[^}]*le=\"10.0\"[^}]*} 1")
        .containsPattern("istio_request_bytes_sum\\{[^}]*destination_service=\"products.shop.svc.cluster.local\"[^}]*} 7.0")
        .containsPattern("istio_response_bytes_bucket\\{[^}]*le=\"1000.0\"[^}]*} 0")
        .containsPattern("istio_response_bytes_bucket\\{[^}]*le=\"2500.0\"[^}]*} 1")
        .containsPattern("istio_response_bytes_sum\\{[^}]*} 2048.0");
  }
}
