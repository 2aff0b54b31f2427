package io.meshwork.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The interop client through two sidecars of one mesh: a control plane process, the test server's sidecar (its
 * inbound port requires mutual TLS: PeerAuthentication STRICT in the namespace) and the client's sidecar, whose
 * upstream port the client dials. The hop between the sidecars is mutual TLS with SVIDs from the control plane.
 */
class MutualTlsMeshInteropTest extends InteropSuite {
  private Topologies.Mesh mesh;

  @Override
  Topology topology() {
    return Topology.MTLS_MESH;
  }

  @Override
  int startPath(Processes processes, int serverPort) throws Exception {
    mesh = Topologies.Mesh.start(processes, "grpc-test", serverPort);
    // The server's registration reaches the client sidecar through the control plane's watch.
    processes.await("an EmptyCall through both sidecars", STARTUP,
        () -> Topologies.emptyCallSucceeds(mesh.upstreamPort(), Duration.ofSeconds(5)));
    return mesh.upstreamPort();
  }

  @Test
  void theHopBetweenTheSidecarsIsMutualTlsOnly() {
    // The same call the mesh path carries, sent plaintext straight to the server's sidecar, is refused: the
    // calls that pass through the client sidecar can only have reached it over mutual TLS.
    assertThat(Topologies.emptyCallSucceeds(mesh.inboundPort(), Duration.ofSeconds(5))).isFalse();
  }
}
