package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DestinationRule connectionPool fields on real connections: {@code tcp.maxConnectionDuration}
 * retires an upstream connection, {@code tcp.tcpKeepalive} turns on keepalive with the given idle
 * time (read back with {@code ss}), {@code tcp.idleTimeout} ends an idle SOCKS5 stream to the service.
 */
@Timeout(60)
class ConnectionPoolIntegrationTest {
  private TestBackend backend;
  private Sidecar sidecar;

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private void start(String tcp) {
    backend = TestBackend.http1((request, n) -> TestBackend.text(HttpResponseStatus.OK, "products " + n));
    String yaml = Resources.workload("products-1", "default", "products", "127.0.0.1",
        "http: " + backend.address().getPort(), "") + """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: products, namespace: default}
        spec:
          host: products
          trafficPolicy:
            connectionPool:
              tcp: %s
        """.formatted(tcp);
    MeshSnapshot snapshot = new SnapshotCompiler().compile(1, Resources.yaml(yaml), new LocalService("web", "default"));
    assertThat(snapshot.notices()).noneMatch(n -> n.contains("connectionPool"));
    sidecar = Sidecar.start(SidecarSettings.defaults("web").withIoThreads(1).withSocksPort(0), new SnapshotRef(snapshot));
  }

  private String get(HttpClient client) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/"))
        .header("dapr-app-id", "products").GET().build(), BodyHandlers.ofString()).body();
  }

  @Test
  void maxConnectionDurationRetiresTheUpstreamConnection() throws Exception {
    start("{maxConnectionDuration: 1s}");
    try (HttpClient client = HttpClient.newHttpClient()) {
      get(client);
      get(client);
      assertThat(backend.connections.get()).as("reused while young").isEqualTo(1);
      Thread.sleep(1_200);
      get(client);
      assertThat(backend.connections.get()).as("a new connection once the first is a second old").isEqualTo(2);
    }
  }

  @Test
  void tcpKeepaliveIsOnWithTheGivenIdleTime() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/ss")), "ss (iproute2) is not installed");
    start("{tcpKeepalive: {time: 7s, interval: 3s, probes: 4}}");
    try (HttpClient client = HttpClient.newHttpClient()) {
      get(client);
      Process ss = new ProcessBuilder("ss", "-tno", "state", "established", "dst",
          "127.0.0.1:" + backend.address().getPort()).redirectErrorStream(true).start();
      String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      ss.waitFor();
      // ss shows the time left to the next keepalive probe (at most the 7 s idle time; the system default is 7200 s).
      assertThat(out).containsPattern("timer:\\(keepalive,[0-7](\\.\\d+)?(ms|sec|s),");
    }
  }

  @Test
  void tcpIdleTimeoutEndsAnIdleStreamToTheService() throws Exception {
    start("{idleTimeout: 1s}");
    try (Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", sidecar.socksPort())))) {
      s.setSoTimeout(10_000);
      s.connect(InetSocketAddress.createUnresolved("products", 80), 5_000);
      long started = System.nanoTime();
      InputStream in = s.getInputStream();
      assertThat(in.read()).as("closed by the sidecar, not by the read timeout").isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    }
  }
}
