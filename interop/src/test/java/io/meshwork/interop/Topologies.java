package io.meshwork.interop;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.integration.EmptyProtos;
import io.grpc.testing.integration.TestServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The pieces the topologies share: a ServiceEntry for a local backend, a mesh of real processes, probes. */
final class Topologies {
  static final String NAMESPACE = "interop";

  private Topologies() {}

  /** A ServiceEntry for the backend on loopback {@code port}, its port declared {@code protocol}. */
  static String serviceEntry(String host, int port, String protocol) {
    return """
        apiVersion: networking.istio.io/v1beta1
        kind: ServiceEntry
        metadata: {name: %s}
        spec:
          hosts: [%s]
          ports: [{number: %d, name: %s, protocol: %s}]
          resolution: STATIC
          endpoints: [{address: 127.0.0.1}]
        """.formatted(host, host, port, protocol.toLowerCase(), protocol);
  }

  static String serviceEntry(int grpcPort) {
    return serviceEntry("grpc-test", grpcPort, "GRPC");
  }

  /** Mutual TLS required for every workload of the namespace (Istio PeerAuthentication, mode STRICT). */
  static final String STRICT = """
      apiVersion: security.istio.io/v1beta1
      kind: PeerAuthentication
      metadata: {name: default, namespace: %s}
      spec:
        mtls: {mode: STRICT}
      """.formatted(NAMESPACE);

  /**
   * A control plane, the backend's sidecar in front of {@code backendPort} (its inbound port requiring mutual TLS)
   * and a client sidecar whose upstream port leads to {@code service}.
   */
  record Mesh(String url, Path dataDir, int inboundPort, int upstreamPort) {
    static Mesh start(Processes processes, String service, int backendPort) throws Exception {
      Path data = processes.dir().resolve("control-plane");
      Processes.Proc plane = processes.meshwork("control-plane", "control-plane", "--data-dir", data.toString(),
          "--listen", "127.0.0.1:0");
      int controlPort = processes.awaitPort(plane, "control plane listening on https://127\\.0\\.0\\.1:(\\d+)",
          InteropSuite.STARTUP);
      if (controlPort < 0) {
        throw new AssertionError("the control plane exited before listening" + processes.logs());
      }
      String url = "https://127.0.0.1:" + controlPort;
      Path strict = processes.dir().resolve("strict.yaml");
      Files.writeString(strict, STRICT);
      // Tried again when it fails: on a loaded machine the first calls to a control plane that has just started
      // can time out.
      for (int attempt = 1; ; attempt++) {
        Processes.Proc apply = processes.meshwork("apply-" + attempt, "apply", "-f", strict.toString(),
            "--control-plane", url, "--data-dir", data.toString());
        if (apply.process().waitFor(90, TimeUnit.SECONDS) && apply.process().exitValue() == 0) {
          break;
        }
        if (attempt == 5) {
          throw new AssertionError("meshwork apply of the PeerAuthentication failed" + processes.logs());
        }
        Thread.sleep(1000);
      }
      int inbound = processes.meshworkPort("sidecar-" + service, "inbound +127\\.0\\.0\\.1:(\\d+) ->",
          InteropSuite.STARTUP, "sidecar", "--service", service, "--namespace", NAMESPACE, "--control-plane", url,
          "--data-dir", data.toString(), "--target", "http://127.0.0.1:" + backendPort, "--io-threads", "1");
      int upstream = processes.meshworkPort("sidecar-client", "upstream +127\\.0\\.0\\.1:(\\d+) -> " + service,
          InteropSuite.STARTUP, "sidecar", "--service", "interop-client", "--namespace", NAMESPACE,
          "--control-plane", url, "--data-dir", data.toString(), "--upstream", service + "=0", "--io-threads", "1");
      return new Mesh(url, data, inbound, upstream);
    }
  }

  /** Whether an EmptyCall to grpc-java's TestService on {@code port} succeeds, plaintext h2c. */
  static boolean emptyCallSucceeds(int port, Duration deadline) {
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
          .emptyCall(EmptyProtos.Empty.getDefaultInstance());
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    } finally {
      channel.shutdownNow();
    }
  }
}
