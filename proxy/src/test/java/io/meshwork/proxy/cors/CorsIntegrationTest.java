package io.meshwork.proxy.cors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A VirtualService {@code corsPolicy} through a real sidecar, with curl as the browser: an allowed
 * preflight is answered by the sidecar and never reaches the app; an actual request from an allowed
 * origin gets the CORS response headers; an origin the policy does not allow gets none, and its
 * preflight goes to the app (Istio's {@code unmatchedPreflights: FORWARD}).
 */
@Timeout(60)
class CorsIntegrationTest {
  static final LocalService FRONTEND = new LocalService("frontend", "default");

  final List<AutoCloseable> closeables = new ArrayList<>();
  TestBackend products;
  Sidecar sidecar;

  @BeforeEach
  void start() {
    products = TestBackend.http1((request, n) -> TestBackend.text(HttpResponseStatus.OK,
        "products " + request.method() + " " + request.uri()));
    closeables.add(products);
    String yaml = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: products-1, namespace: default}
        spec:
          address: 127.0.0.1
          ports: {http: %d}
          labels: {app: products}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: products, namespace: default}
        spec:
          hosts: [products]
          http:
          - corsPolicy:
              allowOrigins: [{exact: "https://shop.example"}, {regex: "https://.*[.]partner[.]example"}]
              allowMethods: [GET, PUT]
              allowHeaders: [x-token, content-type]
              exposeHeaders: [x-total]
              maxAge: 24h
              allowCredentials: true
            route: [{destination: {host: products}}]
        """.formatted(products.address().getPort());
    ParseResult parsed = ResourceParser.parse("mesh.yaml", yaml);
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    MeshSnapshot snapshot = new SnapshotCompiler().compile(1, parsed.resources(), FRONTEND);
    assertThat(snapshot.notices()).as("corsPolicy is enforced, so no notice names it")
        .noneMatch(n -> n.contains("corsPolicy"));
    sidecar = Sidecar.start(SidecarSettings.defaults("frontend").withIoThreads(1), new SnapshotRef(snapshot));
    closeables.add(sidecar);
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  @Test
  void anAllowedPreflightIsAnsweredByTheSidecar() throws Exception {
    String out = curl("-X", "OPTIONS", "-H", "Origin: https://shop.example", "-H",
        "Access-Control-Request-Method: PUT", "-H", "Access-Control-Request-Headers: x-token", "http://products/items");
    assertThat(out).startsWith("HTTP/1.1 200")
        .contains("access-control-allow-origin: https://shop.example")
        .contains("access-control-allow-methods: GET, PUT")
        .contains("access-control-allow-headers: x-token, content-type")
        .contains("access-control-max-age: 86400")
        .contains("access-control-allow-credentials: true")
        .doesNotContain("products OPTIONS");
    assertThat(products.requests.get()).as("the app never sees an allowed preflight").isZero();
  }

  @Test
  void anActualRequestFromAnAllowedOriginGetsTheCorsHeaders() throws Exception {
    String out = curl("-H", "Origin: https://app.partner.example", "http://products/items");
    assertThat(out).startsWith("HTTP/1.1 200")
        .contains("access-control-allow-origin: https://app.partner.example")
        .contains("access-control-allow-credentials: true")
        .contains("access-control-expose-headers: x-total")
        .endsWith("products GET /items");
  }

  @Test
  void anOriginThePolicyDoesNotAllowGetsNoCorsHeadersAndItsPreflightGoesToTheApp() throws Exception {
    String actual = curl("-H", "Origin: https://evil.example", "http://products/items");
    assertThat(actual).startsWith("HTTP/1.1 200").doesNotContain("access-control-");
    String preflight = curl("-X", "OPTIONS", "-H", "Origin: https://evil.example", "-H",
        "Access-Control-Request-Method: PUT", "http://products/items");
    assertThat(preflight).doesNotContain("access-control-").endsWith("products OPTIONS /items");
    String noOrigin = curl("http://products/items");
    assertThat(noOrigin).doesNotContain("access-control-");
    assertThat(products.requests.get()).isEqualTo(3);
  }

  /** curl through the sidecar's HTTP proxy port; the response head (lower-cased names) and body. */
  private String curl(String... args) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "20", "-x",
        "http://127.0.0.1:" + sidecar.httpPort()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.toLowerCase(Locale.ROOT).endsWith("_proxy"));
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    StringBuilder normalized = new StringBuilder();
    boolean body = false;
    for (String line : out.split("\r\n", -1)) {
      if (body) {
        normalized.append(line);
        continue;
      }
      if (line.isEmpty()) {
        body = true;
        normalized.append("\n");
        continue;
      }
      int colon = line.indexOf(':');
      normalized.append(colon > 0 && !line.startsWith("HTTP/")
          ? line.substring(0, colon).toLowerCase(Locale.ROOT) + line.substring(colon) : line).append("\n");
    }
    return normalized.toString().strip();
  }
}
