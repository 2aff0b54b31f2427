package io.meshwork.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.fixtures.PrometheusText;
import io.meshwork.proxy.fixtures.SocketApp;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's metrics on a real sidecar's admin {@code /metrics} after real traffic: HTTP through the proxy
 * port (request and response sizes), a SOCKS5 tunnel and a CONNECT tunnel (the TCP metrics); the
 * output read back with a strict Prometheus text parser and, when it is installed, {@code promtool
 * check metrics}.
 */
@Timeout(60)
class TelemetryMetricsIntegrationTest {
  static final String PING = "ping-0123456789";
  @TempDir
  Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();
  SocketApp echo;
  TestBackend web;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    echo = new SocketApp(s -> {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[4096];
        for (int n; (n = in.read(buf)) > 0; ) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // the client went away
      }
    });
    closeables.add(echo);
    web = TestBackend.http1((request, n) -> TestBackend.text(HttpResponseStatus.OK, "x".repeat(300)));
    closeables.add(web);
    String yaml = workload("echo-1", "echo", echo.address().getPort()) + workload("web-1", "web", web.address().getPort());
    ParseResult parsed = ResourceParser.parse("mesh.yaml", yaml);
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1).withSocksPort(0),
        new SnapshotRef(new SnapshotCompiler().compile(1, parsed.resources(), new LocalService("orders", "default"))));
    closeables.add(sidecar);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  static String workload(String name, String app, int port) {
    return """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: %s, namespace: default}
        spec:
          address: 127.0.0.1
          ports: {http: %d}
          labels: {app: %s}
        ---
        """.formatted(name, port, app);
  }

  String metrics() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + sidecar.adminPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** Waits until {@code name} with {@code labels} sums to {@code expected}; returns the last scrape. */
  PrometheusText await(String name, Map<String, String> labels, double expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      PrometheusText text = PrometheusText.parse(metrics());
      if (text.sum(name, labels) == expected || System.nanoTime() > deadline) {
        return text;
      }
      Thread.sleep(20);
    }
  }

  static String roundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    return new String(s.getInputStream().readNBytes(text.length()), StandardCharsets.UTF_8);
  }

  @Test
  void socksAndConnectTunnelsAndHttpBodiesAreCounted() throws Exception {
    String echoCluster = "echo.default.svc.cluster.local";
    Map<String, String> echoLabels = Map.of("reporter", "source", "destination_service", echoCluster,
        "request_protocol", "tcp", "source_workload", "orders");
    // SOCKS5, with the JDK's own client.
    try (Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", sidecar.socksPort())))) {
      s.setSoTimeout(5000);
      s.connect(InetSocketAddress.createUnresolved("echo", 80), 5000);
      assertThat(roundTrip(s, PING)).isEqualTo(PING);
      assertThat(roundTrip(s, "again")).isEqualTo("again");
    }
    PrometheusText text = await("istio_tcp_connections_closed_total", echoLabels, 1);
    assertThat(text.sum("istio_tcp_connections_opened_total", echoLabels)).isEqualTo(1);
    assertThat(text.sum("istio_tcp_connections_closed_total", echoLabels)).isEqualTo(1);
    assertThat(text.sum("istio_tcp_received_bytes_total", echoLabels)).isEqualTo(PING.length() + 5);
    assertThat(text.sum("istio_tcp_sent_bytes_total", echoLabels)).isEqualTo(PING.length() + 5);

    // CONNECT on the HTTP proxy port.
    try (Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write("CONNECT echo:80 HTTP/1.1\r\nHost: echo:80\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int b = in.read();
        assertThat(b).isNotNegative();
        head.write(b);
      }
      assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
      assertThat(roundTrip(s, PING)).isEqualTo(PING);
    }
    text = await("istio_tcp_connections_closed_total", echoLabels, 2);
    assertThat(text.sum("istio_tcp_connections_opened_total", echoLabels)).isEqualTo(2);
    assertThat(text.sum("istio_tcp_received_bytes_total", echoLabels)).isEqualTo(2 * PING.length() + 5);

    // HTTP: body sizes in the request metrics.
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", sidecar.httpPort()))).build();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://web/upload"))
        .POST(HttpRequest.BodyPublishers.ofString("y".repeat(40))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    Map<String, String> web = Map.of("reporter", "source", "destination_service", "web.default.svc.cluster.local",
        "response_code", "200");
    text = await("istio_response_bytes_sum", web, 300);
    assertThat(text.sum("istio_request_bytes_sum", web)).isEqualTo(40);
    assertThat(text.sum("istio_request_bytes_count", web)).isEqualTo(1);
    assertThat(text.sum("istio_response_bytes_sum", web)).isEqualTo(300);
    assertThat(text.families().get("istio_tcp_sent_bytes_total").type()).isEqualTo("counter");
    assertThat(text.families().get("istio_request_bytes").type()).isEqualTo("histogram");

    promtoolCheck(metrics());
  }

  /**
   * {@code promtool check metrics} on the scrape. Istio's metric names are fixed (dashboards depend on
   * them), so promtool's advice to prefer base units for {@code istio_request_duration_milliseconds} is
   * the one finding accepted; anything else fails the test.
   */
  void promtoolCheck(String scrape) throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    assumeTrue(Files.isExecutable(promtool), "promtool is not installed (scripts/ensure-tools.sh installs Debian's"
        + " prometheus package)");
    Path file = dir.resolve("metrics.txt");
    Files.writeString(file, scrape);
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectInput(file.toFile())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> findings = out.lines().filter(l -> !l.isBlank())
        .filter(l -> !l.startsWith("istio_request_duration_milliseconds ") || !l.contains("base unit"))
        .toList();
    assertThat(findings).as("promtool check metrics:\n" + out).isEmpty();
  }
}
