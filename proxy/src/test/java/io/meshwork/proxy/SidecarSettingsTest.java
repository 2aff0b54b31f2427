package io.meshwork.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SidecarSettingsTest {

  @Test
  void defaultsFillIn() {
    SidecarSettings s = new SidecarSettings("orders", null, null, null, 0, 0, 0, null, 0);
    assertThat(s.namespace()).isEqualTo("default");
    assertThat(s.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(s.upstreams()).isEmpty();
  }

  @Test
  void invalidValuesNameTheFieldAndWhatWasExpected() {
    assertThatThrownBy(() -> SidecarSettings.defaults("Orders!"))
        .hasMessage("service: Orders! (expected: a DNS label, e.g. orders)");
    assertThatThrownBy(() -> new SidecarSettings("orders", "shop", URI.create("ftp://x"), null, 0, 0, 0, null, 0))
        .hasMessage("target: ftp://x (expected: http://host:port)");
    assertThatThrownBy(() -> new SidecarSettings("orders", "shop", null, null, 70000, 0, 0, null, 0))
        .hasMessage("inboundPort: 70000 (expected: 0 for a free port, or 1..65535)");
    assertThatThrownBy(() -> SidecarSettings.defaults("orders").withUpstreams(Map.of("products", -1)))
        .hasMessage("upstreams[products]: -1 (expected: 0 for a free port, or 1..65535)");
    assertThatThrownBy(() -> SidecarSettings.defaults("orders").withIoThreads(-2))
        .hasMessage("ioThreads: -2 (expected: >= 0)");
  }

  @Test
  void theOutboundAndAdminPortsStayOnLoopbackWhateverTheInboundBinds() {
    assertThat(SidecarSettings.defaults("orders").localAddress()).isEqualTo("127.0.0.1");
    for (String peerFacing : new String[] {"0.0.0.0", "10.213.0.2", "::", "fd00::2", "orders.example"}) {
      SidecarSettings s = new SidecarSettings("orders", null, null, peerFacing, 0, 0, 0, null, 0);
      assertThat(s.bindAddress()).isEqualTo(peerFacing);
      assertThat(s.localAddress()).as(peerFacing).isEqualTo("127.0.0.1");
    }
    for (String loopback : new String[] {"127.0.0.2", "::1", "localhost"}) {
      assertThat(new SidecarSettings("orders", null, null, loopback, 0, 0, 0, null, 0).localAddress())
          .isEqualTo(loopback);
    }
  }
}
