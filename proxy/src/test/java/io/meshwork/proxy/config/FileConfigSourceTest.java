package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.route.RouteDecision;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileConfigSourceTest {
  private static final LocalService LOCAL = new LocalService("frontend", "shop");

  @TempDir Path dir;
  private final BlockingQueue<MeshSnapshot> swaps = new LinkedBlockingQueue<>();

  private static String workload(String app, String address) {
    return """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: %1$s-1, namespace: shop}
        spec:
          address: %2$s
          ports: {http: 8080}
          labels: {app: %1$s}
        """.formatted(app, address);
  }

  private static final String BROKEN = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: orders, namespace: shop}
      spec:
        hosts: [orders]
        http:
        - route:
          - destination: {host: orders}
            weight: "heavy"
      """;

  private FileConfigSource source() {
    return new FileConfigSource(dir, LOCAL, new SnapshotCompiler(), swaps::add, Duration.ofMillis(50), Duration.ofMillis(500));
  }

  private static boolean routes(MeshSnapshot s, String host) {
    return s.outbound().route(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), host, 0, "/", 0.5)
        instanceof RouteDecision.Matched;
  }

  private void write(String name, String text) throws IOException {
    // Write then move, as config management tools do, so a reader never sees half a file; *.tmp is not configuration.
    Path tmp = Files.writeString(dir.resolve(name + ".tmp"), text);
    Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void initialLoadCompilesEveryFile() throws IOException {
    write("orders.yaml", workload("orders", "10.0.0.1"));
    write("payments.yml", workload("payments", "10.0.0.2"));
    Files.writeString(dir.resolve("README.txt"), "not configuration");
    try (FileConfigSource source = source()) {
      MeshSnapshot s = source.loadInitial();
      assertThat(s.version()).isEqualTo(1);
      assertThat(routes(s, "orders")).isTrue();
      assertThat(routes(s, "payments")).isTrue();
    }
  }

  @Test
  void invalidStartUpConfigurationFailsFastNamingFileAndLine() throws IOException {
    write("orders.yaml", workload("orders", "10.0.0.1"));
    write("routes.yaml", BROKEN);
    try (FileConfigSource source = source()) {
      assertThatThrownBy(source::loadInitial)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("invalid configuration in " + dir)
          .hasMessageContaining("routes.yaml:9:")
          .satisfies(e -> assertThat(((ConfigException) e).diagnostics()).isNotEmpty());
    }
  }

  @Test
  void missingDirectoryFailsFast() {
    FileConfigSource source = new FileConfigSource(dir.resolve("absent"), LOCAL, new SnapshotCompiler(), swaps::add);
    assertThatThrownBy(source::loadInitial).isInstanceOf(ConfigException.class).hasMessageContaining("absent");
  }

  @Test
  void aBadFileKeepsTheRunningSnapshotAndAFixSwapsIn() throws IOException {
    write("orders.yaml", workload("orders", "10.0.0.1"));
    try (FileConfigSource source = source()) {
      source.loadInitial();
      write("routes.yaml", BROKEN);
      source.reloadIfChanged();
      assertThat(swaps).isEmpty();
      // Unchanged files are not parsed again.
      source.reloadIfChanged();
      assertThat(swaps).isEmpty();
      write("routes.yaml", workload("payments", "10.0.0.2"));
      source.reloadIfChanged();
      assertThat(swaps).hasSize(1);
      MeshSnapshot fixed = swaps.remove();
      assertThat(fixed.version()).isEqualTo(2);
      assertThat(routes(fixed, "payments")).isTrue();
    }
  }

  @Test
  void theWatcherSwapsInChangesAndSkipsBrokenStates() throws Exception {
    write("orders.yaml", workload("orders", "10.0.0.1"));
    try (FileConfigSource source = source()) {
      source.loadInitial();
      source.start();
      write("payments.yaml", workload("payments", "10.0.0.2"));
      MeshSnapshot next = swaps.poll(10, TimeUnit.SECONDS);
      assertThat(next).isNotNull();
      assertThat(routes(next, "payments")).isTrue();

      write("payments.yaml", BROKEN);
      write("shipping.yaml", workload("shipping", "10.0.0.3"));
      // The broken directory never swaps; the repaired one does, with everything in it.
      write("payments.yaml", workload("payments", "10.0.0.4"));
      MeshSnapshot repaired = swaps.poll(10, TimeUnit.SECONDS);
      assertThat(repaired).isNotNull();
      while (!routes(repaired, "shipping") || !repaired.clusters().toString().contains("10.0.0.4")) {
        repaired = swaps.poll(10, TimeUnit.SECONDS);
        assertThat(repaired).isNotNull();
      }
      assertThat(routes(repaired, "orders")).isTrue();
    }
  }

  @Test
  void oneFileIsAConfigurationAndReloadsWhenItChanges() throws Exception {
    write("mesh.yaml", workload("orders", "10.0.0.1"));
    // A neighbour in the same folder is not part of a single-file configuration.
    write("other.yaml", workload("payments", "10.0.0.2"));
    Path file = dir.resolve("mesh.yaml");
    try (FileConfigSource source = new FileConfigSource(file, LOCAL, new SnapshotCompiler(), swaps::add,
        Duration.ofMillis(50), Duration.ofMillis(500))) {
      MeshSnapshot first = source.loadInitial();
      assertThat(routes(first, "orders")).isTrue();
      assertThat(routes(first, "payments")).isFalse();
      source.start();

      write("mesh.yaml", workload("orders", "10.0.0.1") + "---\n" + workload("shipping", "10.0.0.3"));
      MeshSnapshot next = swaps.poll(10, TimeUnit.SECONDS);
      assertThat(next).isNotNull();
      assertThat(routes(next, "shipping")).isTrue();
      assertThat(routes(next, "payments")).isFalse();
    }
  }

  @Test
  void oneInvalidFileFailsFastNamingItsLine() throws IOException {
    write("mesh.yaml", BROKEN);
    FileConfigSource source = new FileConfigSource(dir.resolve("mesh.yaml"), LOCAL, new SnapshotCompiler(),
        swaps::add);
    assertThatThrownBy(source::loadInitial).isInstanceOf(ConfigException.class)
        .hasMessageContaining(dir.resolve("mesh.yaml") + ":9:");
  }

  @Test
  void aMissingPathSaysWhatWasExpected() {
    FileConfigSource source = new FileConfigSource(dir.resolve("absent.yaml"), LOCAL, new SnapshotCompiler(),
        swaps::add);
    assertThatThrownBy(source::loadInitial).isInstanceOf(ConfigException.class)
        .hasMessage(dir.resolve("absent.yaml") + " does not exist (expected: a folder or a file of YAML or JSON"
            + " resources)");
  }

  @Test
  void theSameResourceInTwoFilesIsRejectedNamingBoth() throws IOException {
    write("a.yaml", workload("orders", "10.0.0.1"));
    write("b.yaml", workload("orders", "10.0.0.2"));
    try (FileConfigSource source = source()) {
      assertThatThrownBy(source::loadInitial).isInstanceOf(ConfigException.class)
          .hasMessageContaining(dir.resolve("b.yaml") + ":1:1: error: metadata.name: \"orders-1\"")
          .hasMessageContaining("is also defined at " + dir.resolve("a.yaml") + ":1");
    }
  }
}
