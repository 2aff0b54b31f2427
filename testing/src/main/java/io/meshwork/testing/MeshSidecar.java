package io.meshwork.testing;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.config.FileConfigSource;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotRef;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;

/** A sidecar started by {@link MeshExtension}, with clients that reach the mesh through it. */
public final class MeshSidecar implements AutoCloseable {
  private final Sidecar sidecar;
  private final FileConfigSource source;
  private final SnapshotRef snapshots;

  MeshSidecar(Sidecar sidecar, FileConfigSource source, SnapshotRef snapshots) {
    this.sidecar = sidecar;
    this.source = source;
    this.snapshots = snapshots;
  }

  public Sidecar sidecar() {
    return sidecar;
  }

  public int httpPort() {
    return sidecar.httpPort();
  }

  public int inboundPort() {
    return sidecar.inboundPort();
  }

  public int adminPort() {
    return sidecar.adminPort();
  }

  public int upstreamPort(String service) {
    return sidecar.upstreamPort(service);
  }

  /** The snapshot the sidecar routes with now. */
  public MeshSnapshot snapshot() {
    return snapshots.get();
  }

  /**
   * An HTTP/1.1 client that sends every request through this sidecar's HTTP proxy port, as an
   * app with {@code HTTP_PROXY} set does: {@code http://product-service/...} reaches the mesh.
   */
  public HttpClient proxiedClient() {
    return HttpClient.newBuilder()
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", httpPort())))
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  @Override
  public void close() {
    source.close();
    sidecar.close();
  }
}
