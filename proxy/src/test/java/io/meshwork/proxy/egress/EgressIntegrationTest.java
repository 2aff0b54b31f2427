package io.meshwork.proxy.egress;

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
import io.meshwork.proxy.egress.EgressCounters.Outcome;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.InputStream;
import java.io.OutputStream;
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
 * The HTTP proxy port's egress through a real sidecar and real clients (curl, raw sockets): plain HTTP
 * to a host outside the mesh passes through under ALLOW_ANY and is refused 502 under REGISTRY_ONLY;
 * {@code https://} through {@code HTTPS_PROXY} tunnels with CONNECT to a TLS server outside the mesh;
 * CONNECT reaches mesh services; bad CONNECTs are 400; nothing loops back into the sidecar.
 */
@Timeout(60)
class EgressIntegrationTest {
  static final LocalService FRONTEND = new LocalService("frontend", "default");
  static final String REGISTRY_ONLY = """
      apiVersion: install.istio.io/v1alpha1
      kind: IstioOperator
      metadata: {name: mesh, namespace: istio-system}
      spec:
        meshConfig:
          outboundTrafficPolicy: {mode: REGISTRY_ONLY}
      ---
      """;

  @TempDir
  Path dir;
  final List<AutoCloseable> closeables = new ArrayList<>();
  TestBackend outside;
  TestBackend products;

  @BeforeEach
  void backends() {
    outside = TestBackend.http1((request, n) -> TestBackend.text(HttpResponseStatus.OK,
        "outside " + request.uri() + " host=" + request.headers().get("host")));
    products = TestBackend.http1((request, n) -> TestBackend.text(HttpResponseStatus.OK, "products " + request.uri()));
    closeables.add(outside);
    closeables.add(products);
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  private Sidecar sidecar(String extraYaml) {
    String yaml = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: products-1, namespace: default}
        spec:
          address: 127.0.0.1
          ports: {http: %d}
          labels: {app: products}
        ---
        """.formatted(products.address().getPort()) + extraYaml;
    ParseResult parsed = ResourceParser.parse("mesh.yaml", yaml);
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    MeshSnapshot snapshot = new SnapshotCompiler().compile(1, parsed.resources(), FRONTEND);
    Sidecar sidecar = Sidecar.start(SidecarSettings.defaults("frontend").withIoThreads(1), new SnapshotRef(snapshot));
    closeables.add(sidecar);
    return sidecar;
  }

  private static String proxy(Sidecar sidecar) {
    return "http://127.0.0.1:" + sidecar.httpPort();
  }

  /** Runs curl with {@code env} added, returning its output with the status (and CONNECT status) last. */
  private static String curl(Map<String, String> env, String... args) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-w",
        "\n%{http_code} %{http_connect}"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    for (String v : List.of("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
        "no_proxy", "NO_PROXY")) {
      pb.environment().remove(v);
    }
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void allowAnyPassesPlainHttpThroughToAHostOutsideTheMesh() throws Exception {
    Sidecar sidecar = sidecar("");
    int port = outside.address().getPort();
    String out = curl(Map.of("http_proxy", proxy(sidecar)), "http://localhost:" + port + "/hello?x=1");
    assertThat(out).isEqualTo("outside /hello?x=1 host=localhost:" + port + "\n200 000");
    assertThat(sidecar.egress().counters().get(Outcome.PASSTHROUGH)).isEqualTo(1);
    assertThat(sidecar.egress().policy()).isEqualTo(OutboundTrafficPolicy.ALLOW_ANY);
  }

  @Test
  void registryOnlyRefusesAHostOutsideTheMeshWith502NamingIt() throws Exception {
    Sidecar sidecar = sidecar(REGISTRY_ONLY);
    int port = outside.address().getPort();
    String out = curl(Map.of(), "-i", "-x", proxy(sidecar), "http://localhost:" + port + "/hello");
    assertThat(out).startsWith("HTTP/1.1 502").containsIgnoringCase("x-meshwork-error: registry_only")
        .contains("host \"localhost\" is not in the mesh registry and the outbound traffic policy is REGISTRY_ONLY")
        .endsWith("\n502 000");
    assertThat(outside.requests.get()).isZero();
    assertThat(sidecar.egress().counters().get(Outcome.BLACKHOLE)).isEqualTo(1);
    // Mesh services are still reachable.
    assertThat(curl(Map.of(), "-x", proxy(sidecar), "http://products/p")).isEqualTo("products /p\n200 000");
  }

  @Test
  void curlReachesAnHttpsServerOutsideTheMeshThroughHttpsProxy() throws Exception {
    Sidecar sidecar = sidecar("");
    try (TlsBackend tls = new TlsBackend(dir, "secure")) {
      for (String variable : List.of("https_proxy", "HTTPS_PROXY")) {
        String out = curl(Map.of(variable, proxy(sidecar)), "--cacert", tls.caFile.toString(),
            "https://localhost:" + tls.port() + "/tunnel");
        assertThat(out).as(variable).isEqualTo("secure /tunnel\n200 200");
      }
    }
    assertThat(sidecar.egress().counters().get(Outcome.TUNNEL_PASSTHROUGH)).isEqualTo(2);
  }

  @Test
  void registryOnlyRefusesConnectToAHostOutsideTheMesh() throws Exception {
    Sidecar sidecar = sidecar(REGISTRY_ONLY);
    try (TlsBackend tls = new TlsBackend(dir, "secure")) {
      String out = curl(Map.of("https_proxy", proxy(sidecar)), "--cacert", tls.caFile.toString(),
          "https://localhost:" + tls.port() + "/tunnel");
      assertThat(out).contains("CONNECT tunnel failed, response 502").endsWith("\n000 502");
    }
    assertThat(sidecar.egress().counters().get(Outcome.TUNNEL_BLACKHOLE)).isEqualTo(1);
    try (Socket s = socket(sidecar)) {
      write(s, "CONNECT example.invalid:443 HTTP/1.1\r\nHost: example.invalid:443\r\n\r\n");
      String head = readHead(s.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 502").containsIgnoringCase("x-meshwork-error: registry_only");
    }
  }

  @Test
  void connectToAMeshServiceTunnelsToItsInstance() throws Exception {
    Sidecar sidecar = sidecar(REGISTRY_ONLY);
    try (Socket s = socket(sidecar)) {
      write(s, "CONNECT products:8080 HTTP/1.1\r\nHost: products:8080\r\n\r\n");
      InputStream in = s.getInputStream();
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("content-length")
          .doesNotContainIgnoringCase("transfer-encoding");
      // The tunnel carries bytes: the instance sees exactly what the client sends.
      write(s, "GET /through HTTP/1.1\r\nHost: products\r\n\r\n");
      String response = readHead(in);
      assertThat(response).startsWith("HTTP/1.1 200");
      assertThat(new String(in.readNBytes("products /through".length()), StandardCharsets.US_ASCII))
          .isEqualTo("products /through");
    }
    assertThat(products.requests.get()).isEqualTo(1);
    assertThat(sidecar.egress().counters().get(Outcome.TUNNEL_MESH)).isEqualTo(1);
  }

  @Test
  void connectOverHttp2IsAnsweredNotImplemented() throws Exception {
    Sidecar sidecar = sidecar("");
    try (io.meshwork.proxy.fixtures.H2Client h2 = new io.meshwork.proxy.fixtures.H2Client(
        new java.net.InetSocketAddress("127.0.0.1", sidecar.httpPort()))) {
      io.meshwork.proxy.fixtures.H2Client.Stream stream = h2.open();
      var connect = new io.netty.handler.codec.http.DefaultHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
          io.netty.handler.codec.http.HttpMethod.CONNECT, "products:443");
      connect.headers().set("host", "products:443");
      stream.send(connect);
      Object reply = stream.next();
      assertThat(reply).isInstanceOf(io.netty.handler.codec.http.HttpResponse.class);
      io.netty.handler.codec.http.HttpResponse head = (io.netty.handler.codec.http.HttpResponse) reply;
      assertThat(head.status().code()).isEqualTo(501);
      assertThat(head.headers().get("x-meshwork-error")).isEqualTo("not_implemented");
    }
    assertThat(products.requests.get()).isZero();
  }

  @Test
  void badConnectIsA400() throws Exception {
    Sidecar sidecar = sidecar("");
    try (Socket s = socket(sidecar)) {
      write(s, "CONNECT products HTTP/1.1\r\nHost: products\r\n\r\n");
      String head = readHead(s.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 400");
    }
    try (Socket s = socket(sidecar)) {
      write(s, "CONNECT /products:443 HTTP/1.1\r\nHost: products\r\n\r\n");
      assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 400");
    }
  }

  @Test
  void nothingPassesThroughToTheSidecarsOwnPorts() throws Exception {
    Sidecar sidecar = sidecar("");
    for (int port : new int[] {sidecar.httpPort(), sidecar.adminPort()}) {
      String out = curl(Map.of(), "-i", "-x", proxy(sidecar), "http://127.0.0.1:" + port + "/config");
      assertThat(out).startsWith("HTTP/1.1 502").containsIgnoringCase("x-meshwork-error: egress_loop")
          .contains("is this sidecar's own port");
      try (Socket s = socket(sidecar)) {
        write(s, "CONNECT localhost:" + port + " HTTP/1.1\r\nHost: localhost:" + port + "\r\n\r\n");
        assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 502");
      }
    }
    assertThat(sidecar.egress().counters().get(Outcome.LOOP_REFUSED)).isEqualTo(4);
    assertThat(sidecar.egress().counters().get(Outcome.PASSTHROUGH)).isZero();
  }

  @Test
  void onlyProxyRequestsPassThroughNotHostHeadersOrDaprAppIds() throws Exception {
    Sidecar sidecar = sidecar("");
    String origin = "http://127.0.0.1:" + sidecar.httpPort() + "/x";
    String byAppId = curl(Map.of(), "-i", "-H", "dapr-app-id: localhost", origin);
    assertThat(byAppId).startsWith("HTTP/1.1 404").contains("no route for host \"localhost\"");
    String byHost = curl(Map.of(), "-i", "-H", "Host: localhost:" + outside.address().getPort(), origin);
    assertThat(byHost).startsWith("HTTP/1.1 404").contains("no route for host \"localhost\"");
    assertThat(outside.requests.get()).isZero();
    assertThat(sidecar.egress().counters().get(Outcome.PASSTHROUGH)).isZero();
  }

  @Test
  void adminConfigShowsThePolicyAndTheCounters() throws Exception {
    Sidecar sidecar = sidecar(REGISTRY_ONLY);
    curl(Map.of(), "-x", proxy(sidecar), "http://localhost:" + outside.address().getPort() + "/");
    HttpResponse<String> config = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + sidecar.adminPort() + "/config")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(config.body().replaceAll("\\s", "")).contains("\"outboundTrafficPolicy\":{\"mode\":\"REGISTRY_ONLY\"}")
        .contains("\"egress\":{\"outboundTrafficPolicy\":\"REGISTRY_ONLY\",\"counters\":{\"passthrough\":0,\"blackhole\":1");
  }

  private static Socket socket(Sidecar sidecar) throws Exception {
    Socket s = new Socket("127.0.0.1", sidecar.httpPort());
    s.setSoTimeout(10_000);
    return s;
  }

  private static void write(Socket s, String text) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Reads up to and including the blank line that ends a response head. */
  private static String readHead(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      head.append((char) c);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }
}
