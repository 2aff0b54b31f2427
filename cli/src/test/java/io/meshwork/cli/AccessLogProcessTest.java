package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 004's IstioOperator, applied as written ({@code meshConfig.accessLogFile: /dev/stdout}), makes a
 * real {@code meshwork sidecar} process print Istio's default access-log line on its standard output
 * for a request a JDK HttpClient sends through it.
 */
@Timeout(120)
class AccessLogProcessTest {
  static final Duration STARTUP = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  void seed004TurnsOnStdoutAccessLogs() throws Exception {
    byte[] body = "{\"items\":[1,2,3]}".getBytes(StandardCharsets.UTF_8);
    HttpServer app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    app.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    app.start();
    Path config = Files.createDirectories(dir.resolve("config"));
    try (InputStream in = AccessLogProcessTest.class.getResourceAsStream("seed-004.yaml")) {
      Files.write(config.resolve("seed-004.yaml"), in.readAllBytes());
    }
    Files.writeString(config.resolve("products.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: products-1, namespace: default}
        spec:
          address: 127.0.0.1
          ports: {http: %d}
          labels: {app: products}
        """.formatted(app.getAddress().getPort()));
    int http = MeshProcesses.freePort();
    int admin = MeshProcesses.freePort();
    try (MeshProcesses mesh = new MeshProcesses(dir)) {
      MeshProcesses.Proc sidecar = mesh.meshwork("orders", "sidecar", "--service", "orders", "--namespace", "default",
          "--config", config.toString(), "--http-port", Integer.toString(http), "--admin-port", Integer.toString(admin));
      HttpClient plain = HttpClient.newHttpClient();
      mesh.await("the sidecar to be ready", STARTUP, () -> {
        try {
          return plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/ready")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
          return false;
        }
      });
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", http))).build();
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://products/items"))
          .header("User-Agent", "seed-004-check").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);

      Pattern line = Pattern.compile("(?m)^\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z] \"GET /items HTTP/1.1\""
          + " 200 - via_upstream - \"-\" 0 " + body.length + " \\d+ - \"127.0.0.1\" \"seed-004-check\" \"[0-9a-f-]{36}\""
          + " \"products\" \"127.0.0.1:" + app.getAddress().getPort() + "\" outbound\\|80\\|\\|products.default.svc.cluster.local"
          + " - - 127.0.0.1:\\d+ - \\S+$");
      mesh.await("the access-log line on the sidecar's stdout", Duration.ofSeconds(10),
          () -> line.matcher(sidecar.logText()).find());
    } finally {
      app.stop(0);
    }
  }
}
