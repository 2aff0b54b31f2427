package io.meshwork.proxy.tls;

import static io.meshwork.proxy.tls.MeshFixture.compile;
import static io.meshwork.proxy.tls.MeshFixture.peerAuthentication;
import static io.meshwork.proxy.tls.MeshFixture.workload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.SnapshotRef;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Opaque streams to mesh services keep the mesh's mutual TLS: a CONNECT tunnel (curl's
 * {@code --proxytunnel}) and a SOCKS5 stream (the JDK's SOCKS client) from the orders sidecar reach
 * the products application through products' STRICT inbound port, over mutual TLS with the tunnel
 * protocol; AuthorizationPolicy decides on them as on TCP in Istio; a peer the mesh does not trust
 * gets no stream and nothing goes in plaintext; a half-close crosses the TLS hop.
 */
@Timeout(60)
class MeshTunnelIntegrationTest {
  static final LocalService ORDERS = new LocalService("orders", "shop");
  static final LocalService PRODUCTS = new LocalService("products", "shop");
  static final String STRICT = peerAuthentication("default", "mtls: {mode: STRICT}");

  final MeshFixture mesh = new MeshFixture();
  TestCa ca;
  Sidecar products;

  @BeforeEach
  void setUp() throws Exception {
    ca = new TestCa("mesh-root");
  }

  @AfterEach
  void tearDown() throws Exception {
    mesh.close();
  }

  void startProducts(InetSocketAddress app, String policies) throws Exception {
    SnapshotRef config = new SnapshotRef(compile(STRICT + policies + workload("self", "products", 1, ""), PRODUCTS));
    products = mesh.sidecar("products", app, Map.of(), config, ca.fixedIdentity(TestCa.workload("shop", "products")));
  }

  Sidecar startOrders(WorkloadIdentity identity) {
    SnapshotRef config = new SnapshotRef(compile(workload("products-1", "products", products.inboundPort(),
        MeshFixture.MESH_LABEL), ORDERS));
    SidecarSettings settings = new SidecarSettings("orders", "shop", null, "127.0.0.1", 0, 0, 0, Map.of(), 1)
        .withSocksPort(0);
    return mesh.add(Sidecar.start(settings, config, identity));
  }

  WorkloadIdentity ordersIdentity() throws Exception {
    return ca.fixedIdentity(TestCa.workload("shop", "orders"));
  }

  @Test
  void curlTunnelsThroughConnectOverMutualTlsToAStrictService() throws Exception {
    startProducts(mesh.app("products"), "");
    Sidecar orders = startOrders(ordersIdentity());

    assertThat(curlThroughTunnel(orders, "/tunnel")).isEqualTo("products /tunnel\n200 200");
    assertThat(products.inboundTls().tunnels()).isEqualTo(1);
    assertThat(products.inboundTls().mutualTlsConnections()).isEqualTo(1);
    assertThat(products.inboundTls().refusedPlaintext()).isZero();
  }

  @Test
  void socksStreamsReachAStrictServiceOverMutualTls() throws Exception {
    startProducts(mesh.app("products"), "");
    Sidecar orders = startOrders(ordersIdentity());

    assertThat(httpThroughSocks(orders, "/socks")).startsWith("HTTP/1.1 200").endsWith("products /socks");
    assertThat(products.inboundTls().tunnels()).isEqualTo(1);
    assertThat(products.inboundTls().refusedPlaintext()).isZero();
  }

  @Test
  void authorizationDecidesOnTunnelsAsIstioDoesForTcp() throws Exception {
    InetSocketAddress app = mesh.app("products");
    startProducts(app, policy("ALLOW", "from: [{source: {principals: [cluster.local/ns/shop/sa/orders]}}]"));
    Sidecar orders = startOrders(ordersIdentity());
    assertThat(curlThroughTunnel(orders, "/allowed")).isEqualTo("products /allowed\n200 200");
    mesh.close();

    // An ALLOW rule with an HTTP-only field never matches a stream: there is no method to match.
    startProducts(mesh.app("products"), policy("ALLOW", "to: [{operation: {methods: [GET]}}]"));
    orders = startOrders(ordersIdentity());
    assertThat(curlThroughTunnel(orders, "/get")).endsWith("000 200");
    assertThat(httpThroughSocks(orders, "/get")).isEmpty();

    // A DENY rule's HTTP-only fields are ignored: the rule denies the principal's every stream.
    startProducts(mesh.app("products"), policy("DENY",
        "from: [{source: {principals: [cluster.local/ns/shop/sa/orders]}}]\n  to: [{operation: {paths: [/admin]}}]"));
    orders = startOrders(ordersIdentity());
    assertThat(curlThroughTunnel(orders, "/other")).endsWith("000 200");
  }

  @Test
  void aPeerTheMeshDoesNotTrustGetsNoStreamAndNothingGoesInPlaintext() throws Exception {
    startProducts(mesh.app("products"), "");
    Sidecar orders = startOrders(new TestCa("rogue-root").fixedIdentity(TestCa.workload("shop", "orders")));

    String out = curlThroughTunnel(orders, "/rogue");
    assertThat(out).contains("CONNECT tunnel failed, response 503").endsWith("000 503");
    assertThat(products.inboundTls().tunnels()).isZero();
    assertThat(products.inboundTls().refusedPlaintext()).isZero();
  }

  @Test
  void aHalfCloseCrossesTheTlsHop() throws Exception {
    try (ServerSocket echo = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Thread server = Thread.ofVirtual().start(() -> {
        try (Socket s = echo.accept()) {
          byte[] all = s.getInputStream().readAllBytes();
          s.getOutputStream().write(("got " + all.length + " bytes: "
              + new String(all, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          // the assertion below fails
        }
      });
      startProducts((InetSocketAddress) echo.getLocalSocketAddress(), "");
      Sidecar orders = startOrders(ordersIdentity());
      try (Socket s = socks(orders)) {
        s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        s.shutdownOutput();
        String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(reply).isEqualTo("got 5 bytes: hello");
      }
      server.join(5_000);
    }
  }

  private static String policy(String action, String rules) {
    return """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: tunnels, namespace: shop}
        spec:
          action: %s
          rules:
          - %s
        ---
        """.formatted(action, rules);
  }

  /** curl with {@code --proxytunnel}: a CONNECT to products:8080 on the orders HTTP port, then plain HTTP inside. */
  private static String curlThroughTunnel(Sidecar orders, String path) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
    ProcessBuilder builder = new ProcessBuilder(List.of("curl", "-sS", "--max-time", "20", "--proxytunnel", "-x",
        "http://127.0.0.1:" + orders.httpPort(), "-w", "\n%{http_code} %{http_connect}", "http://products:8080" + path))
        .redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
    Process curl = builder.start();
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  private static Socket socks(Sidecar orders) throws IOException {
    Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", orders.socksPort())));
    s.setSoTimeout(10_000);
    s.connect(InetSocketAddress.createUnresolved("products", 8080), 5_000);
    return s;
  }

  /** One HTTP/1.1 request through a SOCKS5 stream; what came back before the far side closed, or "" when nothing did. */
  private static String httpThroughSocks(Sidecar orders, String path) throws IOException {
    try (Socket s = socks(orders)) {
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: products\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (java.net.SocketException e) {
      return "";
    }
  }

}
