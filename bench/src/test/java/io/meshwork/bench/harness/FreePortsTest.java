package io.meshwork.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void picksDistinctPortsThatCanBeBoundOnLoopback() throws IOException {
    List<Integer> ports = FreePorts.pick(4);

    assertThat(ports).hasSize(4).doesNotHaveDuplicates().allMatch(p -> p > 0 && p < 65_536);
    try (ServerSocket socket = new ServerSocket(ports.get(0), 1, InetAddress.getLoopbackAddress())) {
      assertThat(socket.getLocalPort()).isEqualTo(ports.get(0));
    }
  }

  @Test
  void rejectsACountOutsideItsRange() {
    assertThatThrownBy(() -> FreePorts.pick(0)).hasMessage("count: 0 (expected: 1..64)");
  }
}
