package io.meshwork.interop;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The interop client on the upstream port of one sidecar in standalone file mode; a ServiceEntry names the test
 * server, its port declared {@code GRPC}. The client speaks h2c with prior knowledge ({@code --use_tls=false}).
 */
class OneSidecarInteropTest extends InteropSuite {
  @Override
  Topology topology() {
    return Topology.ONE_SIDECAR;
  }

  @Override
  int startPath(Processes processes, int serverPort) throws Exception {
    Path config = Files.createDirectories(processes.dir().resolve("mesh"));
    Files.writeString(config.resolve("grpc-test.yaml"), Topologies.serviceEntry(serverPort));
    return processes.meshworkPort("sidecar", "upstream +127\\.0\\.0\\.1:(\\d+) -> grpc-test", STARTUP, "sidecar",
        "--service", "interop-client", "--config", config.toString(), "--upstream", "grpc-test=0", "--io-threads", "1");
  }
}
