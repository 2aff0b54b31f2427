package io.meshwork.proxy.socks;

import static io.meshwork.proxy.socks.MeshYaml.roundRobin;
import static io.meshwork.proxy.socks.MeshYaml.workload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.meshwork.proxy.transport.IoTransport;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SOCKS5 port over real sockets: the JDK's own SOCKS client, a snapshot compiled from YAML. */
class SocksListenerIntegrationTest {
  private static final int TIMEOUT_MS = 5_000;
  private static IoTransport transport;
  private static TestBackend a1;
  private static TestBackend a2;
  private static RawEchoServer echo;
  private static MeshSnapshot snapshot;
  private static SocksListener socks;

  @BeforeAll
  static void start() throws Exception {
    // NIO, as the sidecar runs its SOCKS port (see Sidecar: half-closure on epoll).
    transport = IoTransport.create(1, false);
    a1 = TestBackend.http1((request, n) -> TestBackend.text(HttpResponseStatus.OK, "a1"));
    a2 = TestBackend.http1((request, n) -> TestBackend.text(HttpResponseStatus.OK, "a2"));
    echo = new RawEchoServer();
    snapshot = MeshYaml.compile(
        workload("a-1", "service-a", a1.address()) + workload("a-2", "service-a", a2.address())
            + roundRobin("service-a")
            + workload("b-dead", "service-b", Meshes.deadAddress()) + workload("b-live", "service-b", echo.address())
            + roundRobin("service-b")
            + workload("c-1", "service-c", Meshes.deadAddress())
            + workload("echo-1", "echo", echo.address())
            + """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: egress, namespace: default}
            spec:
              hosts: [localhost]
              location: MESH_EXTERNAL
              resolution: NONE
              ports: [{number: %d, name: tcp, protocol: TCP}]
            """.formatted(echo.address().getPort()));
    socks = SocksListener.bind(transport, "127.0.0.1", 0, new SnapshotRef(snapshot));
  }

  @AfterAll
  static void stop() throws Exception {
    socks.close();
    a1.close();
    a2.close();
    echo.close();
    transport.shutdown(Duration.ofSeconds(1));
  }

  /** A socket connected through the SOCKS port to {@code host:port}, the name sent as a DOMAIN. */
  private static Socket through(String host, int port) throws IOException {
    Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, socks.address()));
    s.setSoTimeout(TIMEOUT_MS);
    s.connect(InetSocketAddress.createUnresolved(host, port), TIMEOUT_MS);
    return s;
  }

  /** One HTTP/1.1 GET; returns the status line and the body. */
  private static String[] get(Socket s, String host) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(("GET /hello HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("response head so far: %s", head).isNotNegative();
      head.write(b);
    }
    String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
    int length = 0;
    for (String line : lines) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    return new String[] {lines[0], new String(in.readNBytes(length), StandardCharsets.UTF_8)};
  }

  private static String ping(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    return new String(s.getInputStream().readNBytes(text.length()), StandardCharsets.UTF_8);
  }

  @Test
  void connectionsAlternateBetweenTheTwoInstancesRoundRobin() throws Exception {
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      try (Socket s = through("service-a", 80)) {
        answers.add(get(s, "service-a")[1]);
      }
    }
    assertThat(answers).containsOnly("a1", "a2");
    for (int i = 1; i < answers.size(); i++) {
      assertThat(answers.get(i)).as("answers %s", answers).isNotEqualTo(answers.get(i - 1));
    }
  }

  @Test
  void httpExchangeGoesThroughTheTunnelUnchanged() throws Exception {
    a1.received.clear();
    a2.received.clear();
    try (Socket s = through("service-a.default.svc.cluster.local", 8080)) {
      String[] first = get(s, "service-a");
      String[] second = get(s, "service-a");
      assertThat(first[0]).isEqualTo("HTTP/1.1 200 OK");
      assertThat(first[1]).isIn("a1", "a2");
      // Keep-alive: the second request rides the same tunnel, so the same instance answers.
      assertThat(second).containsExactly(first);
    }
    HttpRequest seen = (first(a1) != null ? a1 : a2).received.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    assertThat(seen.uri()).isEqualTo("/hello");
    assertThat(seen.headers().get(HttpHeaderNames.HOST)).isEqualTo("service-a");
  }

  private static HttpRequest first(TestBackend backend) {
    return backend.received.peek();
  }

  @Test
  void deadEndpointIsSkippedByTheConnectRetry() throws Exception {
    for (int i = 0; i < 4; i++) {
      try (Socket s = through("service-b", 80)) {
        assertThat(ping(s, "ping " + i)).isEqualTo("ping " + i);
      }
    }
  }

  @Test
  void serviceWhoseEndpointsRefuseIsConnectionRefused() {
    assertThatThrownBy(() -> through("service-c", 80).close())
        .isInstanceOf(SocketException.class)
        .hasMessageContaining("refused");
    assertThat(socks.counters().get(SocksCounters.Outcome.CONNECTION_REFUSED)).isPositive();
  }

  @Test
  void hostOutsideTheMeshIsNotAllowed() {
    assertThatThrownBy(() -> through("example.com", 80).close())
        .isInstanceOf(SocketException.class)
        .hasMessageContaining("not allowed by ruleset");
  }

  @Test
  void serviceEntryAllowsEgressToTheRequestedNameOnItsPortsOnly() throws Exception {
    try (Socket s = through("localhost", echo.address().getPort())) {
      assertThat(ping(s, "egress")).isEqualTo("egress");
    }
    assertThatThrownBy(() -> through("localhost", 22).close())
        .isInstanceOf(SocketException.class)
        .hasMessageContaining("not allowed by ruleset");
  }

  @Test
  void twentyMebibytesEachWayArriveIntactAndHalfCloseIsRelayed() throws Exception {
    int size = 20 << 20;
    byte[] data = new byte[size];
    new Random(42).nextBytes(data);
    try (Socket s = through("echo", 7)) {
      s.setSoTimeout(30_000);
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          OutputStream out = s.getOutputStream();
          for (int off = 0; off < size; off += 64 << 10) {
            out.write(data, off, Math.min(64 << 10, size - off));
          }
          out.flush();
          // Our FIN must reach the echo server, whose own FIN then ends our read below.
          s.shutdownOutput();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      byte[] back = s.getInputStream().readAllBytes();
      writer.get(30, TimeUnit.SECONDS);
      assertThat(back.length).isEqualTo(size);
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(back)))
          .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
    }
  }

  @Test
  void optimisticClientMayPipelineGreetingRequestAndDataInOneWrite() throws Exception {
    try (Socket s = new Socket()) {
      s.setSoTimeout(TIMEOUT_MS);
      s.connect(socks.address(), TIMEOUT_MS);
      HexFormat hex = HexFormat.of();
      String request = "050100" + "05010003" + "04" + hex.formatHex("echo".getBytes(StandardCharsets.US_ASCII)) + "0007";
      s.getOutputStream().write(hex.parseHex(request));
      s.getOutputStream().write("early bytes".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      assertThat(hex.formatHex(in.readNBytes(2))).isEqualTo("0500");
      byte[] reply = in.readNBytes(10);
      // VER REP RSV ATYP=IPv4, then the proxy's local address towards the echo server.
      assertThat(hex.formatHex(reply, 0, 4)).isEqualTo("05000001");
      assertThat(hex.formatHex(reply, 4, 8)).isEqualTo("7f000001");
      assertThat(new String(in.readNBytes(11), StandardCharsets.US_ASCII)).isEqualTo("early bytes");
    }
  }

  @Test
  void endpointAddressedByIpIsReachedDirectly() throws Exception {
    try (Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, socks.address()))) {
      s.setSoTimeout(TIMEOUT_MS);
      s.connect(echo.address(), TIMEOUT_MS);
      assertThat(ping(s, "by address")).isEqualTo("by address");
    }
    assertThatThrownBy(() -> {
      try (Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, socks.address()))) {
        // The echo server's port on another loopback address is no endpoint of the mesh.
        s.connect(new InetSocketAddress("127.0.0.2", echo.address().getPort()), TIMEOUT_MS);
      }
    }).isInstanceOf(SocketException.class).hasMessageContaining("not allowed by ruleset");
  }

  @Test
  void openTunnelsCountAsActiveRequestsOfTheirEndpoint() throws Exception {
    Endpoint endpoint = snapshot.clusters().get("outbound|80||echo.default.svc.cluster.local").endpoints().get(0);
    int before = endpoint.activeRequests();
    try (Socket s = through("echo", 7)) {
      assertThat(ping(s, "hello")).isEqualTo("hello");
      assertThat(endpoint.activeRequests()).isEqualTo(before + 1);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (endpoint.activeRequests() != before && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(endpoint.activeRequests()).isEqualTo(before);
  }
}
