package io.meshwork.proxy.hardening.probe;

import static io.meshwork.proxy.fixtures.Meshes.cluster;
import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.fixtures.Meshes;
import java.net.URI;
import java.util.Map;

/**
 * A real sidecar in this JVM with all three HTTP/1 port types in front of one {@link ProbeBackend}:
 * the proxy port routes Host {@code hello} to it, upstream port {@code hello} sends everything to
 * it, and the inbound port (plaintext, no identity) has it as the local application.
 */
public final class ProbedSidecar implements AutoCloseable {
  public static final String SERVICE = "hello";

  public final Sidecar sidecar;

  public ProbedSidecar(ProbeBackend backend) {
    var address = backend.address();
    SidecarSettings settings = SidecarSettings.defaults("probe").withIoThreads(1)
        .withUpstreams(Map.of(SERVICE, 0))
        .withTarget(URI.create("http://127.0.0.1:" + address.getPort()));
    sidecar = Sidecar.start(settings, Meshes.snapshot(host(SERVICE, forward(cluster(SERVICE, address)))));
  }

  public int port(ProbeCase.PortKind kind) {
    return switch (kind) {
      case PROXY -> sidecar.httpPort();
      case UPSTREAM -> sidecar.upstreamPort(SERVICE);
      case INBOUND -> sidecar.inboundPort();
    };
  }

  @Override
  public void close() {
    sidecar.close();
  }
}
