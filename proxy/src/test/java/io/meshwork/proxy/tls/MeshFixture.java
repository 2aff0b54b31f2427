package io.meshwork.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.config.SnapshotRef;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Real sidecars and applications on 127.0.0.1 for the mutual-TLS tests: an application answers
 * with its name, and sidecars run snapshots compiled from YAML by the real compiler.
 */
final class MeshFixture implements AutoCloseable {
  /** What a sidecar with a certificate registers its workload with, so that auto-mTLS applies. */
  static final String MESH_LABEL = "security.istio.io/tlsMode: istio";

  private final List<AutoCloseable> closeables = new ArrayList<>();

  /** A local application answering {@code <name> <path>} to every request. */
  InetSocketAddress app(String name) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = (name + " " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    closeables.add(() -> server.stop(0));
    return server.getAddress();
  }

  static MeshSnapshot compile(String yaml, LocalService local) {
    ParseResult parsed = ResourceParser.parse("test.yaml", yaml);
    assertThat(parsed.errors()).as(parsed.report()).isEmpty();
    return new SnapshotCompiler().compile(1, parsed.resources(), local);
  }

  /** A sidecar of {@code service} in namespace shop, in front of {@code app} when not null. */
  Sidecar sidecar(String service, InetSocketAddress app, Map<String, Integer> upstreams, SnapshotRef snapshots,
      WorkloadIdentity identity) {
    SidecarSettings settings = new SidecarSettings(service, "shop",
        app == null ? null : URI.create("http://127.0.0.1:" + app.getPort()), "127.0.0.1", 0, 0, 0, upstreams, 1);
    Sidecar sidecar = Sidecar.start(settings, snapshots, identity);
    closeables.add(sidecar);
    return sidecar;
  }

  <T extends AutoCloseable> T add(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  /** A registered workload of {@code app} in namespace shop, reached at {@code port} (its sidecar's inbound port). */
  static String workload(String name, String app, int port, String extraLabels) {
    return """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: %s, namespace: shop}
        spec:
          address: 127.0.0.1
          ports: {http: %d}
          labels: {app: %s%s}
        ---
        """.formatted(name, port, app, extraLabels.isEmpty() ? "" : ", " + extraLabels);
  }

  static String peerAuthentication(String name, String spec) {
    return """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: %s, namespace: shop}
        spec:
        %s
        ---
        """.formatted(name, spec.indent(2));
  }

  @Override
  public void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }
}
