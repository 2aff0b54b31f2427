package io.meshwork.testing;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.FileConfigSource;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.config.SnapshotRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A small real mesh per test: backends, a config folder of YAML and sidecars reading it, all on
 * 127.0.0.1 and free ports, closed after each test.
 *
 * <pre>{@code
 * @RegisterExtension final MeshExtension mesh = new MeshExtension();
 *
 * TestBackend v1 = mesh.backend("v1");
 * mesh.config("routes.yaml", yaml);
 * MeshSidecar orders = mesh.sidecar("orders");
 * }</pre>
 */
public final class MeshExtension implements BeforeEachCallback, AfterEachCallback {
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private Path configDir;

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    configDir = Files.createTempDirectory("meshwork-test-config-");
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Exception first = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (configDir != null) {
      try (var files = Files.walk(configDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** The folder every sidecar of this test reads its configuration from. */
  public Path configDir() {
    return configDir;
  }

  /** Starts a test backend on a free port. */
  public TestBackend backend(String name) {
    return track(TestBackend.start(name));
  }

  /** Writes (or replaces) one config file atomically, so a watching sidecar never reads half a file. */
  public Path config(String fileName, String content) {
    try {
      Path tmp = Files.createTempFile(configDir, ".tmp-", ".part");
      Files.writeString(tmp, content);
      return Files.move(tmp, configDir.resolve(fileName), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a sidecar for {@code service} with no local app, reading {@link #configDir()}. */
  public MeshSidecar sidecar(String service) {
    return sidecar(SidecarSettings.defaults(service));
  }

  /** Starts a sidecar for {@code service} whose inbound port forwards to {@code target}. */
  public MeshSidecar sidecar(String service, TestBackend target) {
    return sidecar(SidecarSettings.defaults(service).withTarget(URI.create("http://127.0.0.1:" + target.port())));
  }

  /** Starts a sidecar with the given settings, reading {@link #configDir()}. */
  public MeshSidecar sidecar(SidecarSettings settings) {
    LocalService local = new LocalService(settings.service(), settings.namespace());
    SnapshotRef snapshots = new SnapshotRef(null);
    FileConfigSource source = new FileConfigSource(configDir, local, new SnapshotCompiler(), snapshots::set);
    snapshots.set(source.loadInitial());
    Sidecar sidecar = Sidecar.start(settings, snapshots);
    source.start();
    MeshSidecar running = new MeshSidecar(sidecar, source, snapshots);
    return track(running);
  }

  /** Starts a sidecar with upstream ports ({@code --upstream NAME=PORT}, port 0 for a free one). */
  public MeshSidecar sidecarWithUpstreams(String service, Map<String, Integer> upstreams) {
    return sidecar(SidecarSettings.defaults(service).withUpstreams(upstreams));
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.push(resource);
    return resource;
  }
}
