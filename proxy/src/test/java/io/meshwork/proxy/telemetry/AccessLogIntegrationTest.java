package io.meshwork.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access logs through real sidecars and a JDK HttpClient: the caller's sidecar logs the outbound hop in
 * Istio's default TEXT format, the callee's logs the inbound hop in Istio's default JSON, both carry the
 * same x-request-id, Istio's cluster names and Envoy's response flags; a snapshot swap changes the format
 * without restarting anything.
 */
@Timeout(60)
class AccessLogIntegrationTest {
  static final String BODY = "{\"items\":[1,2,3]}";

  @TempDir
  Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  static String operator(String file, String encoding, String format) {
    return """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: {name: mesh, namespace: istio-system}
        spec:
          meshConfig:
            accessLogFile: %s
            accessLogEncoding: %s
            accessLogFormat: %s
        ---
        """.formatted(file, encoding, format == null ? "\"\"" : "'" + format + "'");
  }

  static MeshSnapshot compile(long version, String yaml, LocalService local) {
    ParseResult parsed = ResourceParser.parse("mesh.yaml", yaml);
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    return new SnapshotCompiler().compile(version, parsed.resources(), local);
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

  static List<String> awaitLines(Path file, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
      if (lines.size() >= n || System.nanoTime() > deadline) {
        return lines;
      }
      Thread.sleep(20);
    }
  }

  HttpClient client(Sidecar frontend) {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", frontend.httpPort()))).build();
  }

  @Test
  void bothHopsAreLoggedWithIstiosDefaultsAndOneRequestId() throws Exception {
    TestBackend app = TestBackend.http1((request, n) -> TestBackend.text(HttpResponseStatus.OK, BODY));
    closeables.add(app);
    Path productsLog = dir.resolve("products.log");
    Path frontendLog = dir.resolve("frontend.log");
    LocalService products = new LocalService("products", "default");
    Sidecar callee = Sidecar.start(SidecarSettings.defaults("products").withIoThreads(1)
            .withTarget(URI.create("http://127.0.0.1:" + app.address().getPort())),
        new SnapshotRef(compile(1, operator(productsLog.toString(), "JSON", null), products)));
    closeables.add(callee);
    LocalService frontend = new LocalService("frontend", "default");
    Sidecar caller = Sidecar.start(SidecarSettings.defaults("frontend").withIoThreads(1), new SnapshotRef(compile(1,
        workload("products-1", "products", callee.inboundPort()) + operator(frontendLog.toString(), "TEXT", null),
        frontend)));
    closeables.add(caller);

    HttpResponse<String> response = client(caller).send(HttpRequest.newBuilder(URI.create("http://products/items?q=1"))
        .header("User-Agent", "access-log-test/1.0").POST(HttpRequest.BodyPublishers.ofString("ping")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(BODY);

    List<String> outbound = awaitLines(frontendLog, 1);
    assertThat(outbound).hasSize(1);
    String line = outbound.getFirst();
    Matcher m = Pattern.compile("^\\[(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z)] \"POST /items\\?q=1 HTTP/1.1\""
        + " 200 - via_upstream - \"-\" 4 " + BODY.length() + " (\\d+) - \"127.0.0.1\" \"access-log-test/1.0\" \"([0-9a-f-]{36})\""
        + " \"products\" \"127.0.0.1:" + callee.inboundPort() + "\" outbound\\|\\d+\\|\\|products.default.svc.cluster.local"
        + " - - 127.0.0.1:\\d+ - \\S+$").matcher(line);
    assertThat(m.matches()).as(line).isTrue();
    String requestId = m.group(3);

    List<String> inbound = awaitLines(productsLog, 1);
    assertThat(inbound).hasSize(1);
    JsonNode json = new ObjectMapper().readTree(inbound.getFirst());
    assertThat(json.get("method").asText()).isEqualTo("POST");
    assertThat(json.get("path").asText()).isEqualTo("/items?q=1");
    assertThat(json.get("response_code").asInt()).isEqualTo(200);
    assertThat(json.get("response_flags").isNull()).isTrue();
    assertThat(json.get("response_code_details").asText()).isEqualTo("via_upstream");
    assertThat(json.get("bytes_received").asLong()).isEqualTo(4);
    assertThat(json.get("bytes_sent").asLong()).isEqualTo(BODY.length());
    assertThat(json.get("request_id").asText()).isEqualTo(requestId);
    assertThat(json.get("upstream_cluster").asText()).isEqualTo("inbound|" + app.address().getPort() + "||");
    assertThat(json.get("upstream_host").asText()).isEqualTo("127.0.0.1:" + app.address().getPort());
    // Each hop appends its downstream peer, and the log shows the headers as forwarded.
    assertThat(json.get("x_forwarded_for").asText()).isEqualTo("127.0.0.1, 127.0.0.1");
    assertThat(json.get("user_agent").asText()).isEqualTo("access-log-test/1.0");
  }

  @Test
  void failuresCarryEnvoysResponseFlagsAndTheFormatFollowsTheSnapshot() throws Exception {
    Path log = dir.resolve("frontend.log");
    InetSocketAddress dead = Meshes.deadAddress();
    LocalService frontend = new LocalService("frontend", "default");
    String mesh = workload("gone-1", "gone", dead.getPort());
    SnapshotRef snapshots = new SnapshotRef(compile(1, mesh + operator(log.toString(), "TEXT",
        "%REQ(:METHOD)% %REQ(:AUTHORITY)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %UPSTREAM_CLUSTER%"),
        frontend));
    Sidecar caller = Sidecar.start(SidecarSettings.defaults("frontend").withIoThreads(1), snapshots);
    closeables.add(caller);
    HttpClient client = client(caller);

    HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create("http://gone/x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(503);
    HttpResponse<String> unknown = client.send(HttpRequest.newBuilder(URI.create("http://nowhere.invalid/x")).build(),
        HttpResponse.BodyHandlers.ofString());
    List<String> lines = awaitLines(log, 2);
    assertThat(lines.get(0)).matches("GET gone 503 UF(,URX)? upstream_connect_error outbound\\|\\d+\\|\\|gone.default.svc.cluster.local");
    assertThat(lines.get(1)).startsWith("GET nowhere.invalid " + unknown.statusCode() + " ");

    // A new snapshot swaps the format in; the same file keeps growing.
    snapshots.set(compile(2, mesh + operator(log.toString(), "JSON", "{\"code\": \"%RESPONSE_CODE%\"}"), frontend));
    client.send(HttpRequest.newBuilder(URI.create("http://gone/y")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(awaitLines(log, 3)).hasSize(3).last().isEqualTo("{\"code\":503}");
  }
}
