package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.discovery.CertificateClient;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
import io.meshwork.proxy.security.CsrFactory;
import io.meshwork.proxy.security.WorkloadCsr;
import io.meshwork.proxy.tls.CertificateAuthority;
import io.meshwork.proxy.tls.CertificateFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standalone (file-mode) sidecars given certificate files speak mutual TLS: the files come from a
 * real CA (the control plane's, used here only to sign), the sidecars read YAML folders. Bad
 * identity and admin options are one-line start-up errors.
 */
@Timeout(90)
class FileModeIdentityTest {
  @TempDir Path dir;
  final List<AutoCloseable> open = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void closeAll() throws Exception {
    http.close();
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** Writes cert.pem, key.pem (owner-only) and ca.pem for {@code service} under {@code dir/service}. */
  Path issue(ControlPlane plane, String service) throws Exception {
    CertificateClient ca = new CertificateClient(URI.create(plane.url()), new ControlPlaneAuth(
        plane.joinToken(service, "shop", Duration.ofHours(1)), ControlPlaneAuth.trusting(plane.trustBundleFile())));
    WorkloadCsr csr = CsrFactory.create(SpiffeId.forWorkload("cluster.local", "shop", service));
    CertificateAuthority.Issued issued = ca.issue(csr, Duration.ofHours(1), null);
    Path out = Files.createDirectories(dir.resolve(service));
    StringBuilder chain = new StringBuilder();
    for (X509Certificate c : issued.chain()) {
      chain.append(pem("CERTIFICATE", c.getEncoded()));
    }
    Files.writeString(out.resolve("cert.pem"), chain);
    Path key = Files.createFile(out.resolve("key.pem"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(key, pem("PRIVATE KEY", csr.keyPair().getPrivate().getEncoded()));
    StringBuilder roots = new StringBuilder();
    for (X509Certificate root : issued.bundle().roots()) {
      roots.append(pem("CERTIFICATE", root.getEncoded()));
    }
    Files.writeString(out.resolve("ca.pem"), roots);
    return out;
  }

  InetSocketAddress app(String name) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = (name + " " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    open.add(() -> server.stop(0));
    return server.getAddress();
  }

  HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void fileModeSidecarsWithCertificateFilesSpeakMutualTls() throws Exception {
    Path products;
    Path orders;
    try (ControlPlane plane = ControlPlane.start(new ControlPlaneSettings(dir.resolve("cp"),
        new InetSocketAddress("127.0.0.1", 0)))) {
      products = issue(plane, "products");
      orders = issue(plane, "orders");
    }
    Path productsConfig = Files.createDirectories(dir.resolve("products-config"));
    Files.writeString(productsConfig.resolve("mtls.yaml"), """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: shop}
        spec: {mtls: {mode: STRICT}}
        """);
    InetSocketAddress productsApp = app("products");
    SidecarRuntime productsSidecar = track(SidecarRuntime.fromFiles(
        new SidecarSettings("products", "shop", URI.create("http://127.0.0.1:" + productsApp.getPort()), "127.0.0.1",
            0, 0, 0, Map.of(), 1),
        productsConfig, CertificateFiles.load(products.resolve("cert.pem"), products.resolve("key.pem"),
            products.resolve("ca.pem"))));
    int inbound = productsSidecar.sidecar().inboundPort();
    Path ordersConfig = Files.createDirectories(dir.resolve("orders-config"));
    Files.writeString(ordersConfig.resolve("products.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: products-1, namespace: shop}
        spec:
          address: 127.0.0.1
          ports: {http: %d}
          labels: {app: products, security.istio.io/tlsMode: istio}
        """.formatted(inbound));
    SidecarRuntime ordersSidecar = track(SidecarRuntime.fromFiles(
        new SidecarSettings("orders", "shop", null, "127.0.0.1", 0, 0, 0, Map.of("products", 0), 1),
        ordersConfig, CertificateFiles.load(orders.resolve("cert.pem"), orders.resolve("key.pem"),
            orders.resolve("ca.pem"))));

    assertThat(get(productsSidecar.sidecar().adminPort(), "/ready").statusCode()).isEqualTo(200);
    HttpResponse<String> viaMesh = get(ordersSidecar.sidecar().upstreamPort("products"), "/items");
    assertThat(viaMesh.statusCode()).as(viaMesh.body()).isEqualTo(200);
    assertThat(viaMesh.body()).isEqualTo("products /items");
    assertThat(productsSidecar.sidecar().inboundTls().mutualTlsConnections()).isPositive();
    assertThatThrownBy(() -> get(inbound, "/items")).isInstanceOf(IOException.class);
    assertThat(productsSidecar.origin()).contains("identity spiffe://cluster.local/ns/shop/sa/products");
  }

  @Test
  void badIdentityAndAdminOptionsAreOneLineErrors() throws Exception {
    Path config = Files.createDirectories(dir.resolve("config"));
    Path missing = dir.resolve("missing.pem");
    Cli.Result noFile = Cli.run("sidecar", "--service", "orders", "--config", config.toString(),
        "--cert-file", missing.toString(), "--key-file", missing.toString(), "--ca-file", missing.toString());
    assertThat(noFile.exitCode()).isNotZero();
    assertThat(noFile.err().strip()).contains("--cert-file: " + missing + ": cannot read").doesNotContain("\n");

    Cli.Result half = Cli.run("sidecar", "--service", "orders", "--config", config.toString(),
        "--cert-file", missing.toString());
    assertThat(half.exitCode()).isNotZero();
    assertThat(half.err()).contains("--key-file missing");

    Cli.Result withoutConfig = Cli.run("sidecar", "--service", "orders", "--control-plane", "http://127.0.0.1:1",
        "--cert-file", missing.toString(), "--key-file", missing.toString());
    assertThat(withoutConfig.exitCode()).isNotZero();
    assertThat(withoutConfig.err()).contains("--cert-file/--key-file: only with --config");

    Path token = Files.writeString(dir.resolve("admin.token"), "t0ken\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
    Cli.Result shared = Cli.run("sidecar", "--service", "orders", "--config", config.toString(),
        "--admin-token-file", token.toString());
    assertThat(shared.exitCode()).isNotZero();
    assertThat(shared.err().strip()).contains("--admin-token-file: " + token + " is readable by group or others")
        .doesNotContain("\n");
  }
}
