package io.meshwork.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.fixtures.LogCapture;
import io.meshwork.proxy.route.RouteDecision;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A running sidecar logs its snapshots' notices at WARN: each once, when a snapshot brings it. */
class NoticeLogTest {
  static MeshSnapshot snapshot(long version, String... notices) {
    return new MeshSnapshot(version, (request, host, port, path, random) -> new RouteDecision.UnknownHost(host),
        Map.of(), List.of(notices), Map.of());
  }

  static final String OUTLIER = "DestinationRule shop/products: spec.trafficPolicy.outlierDetection is accepted but"
      + " not enforced yet";
  static final String TCP = "VirtualService shop/products: spec.tcp is accepted but not enforced yet";

  @Test
  void eachNoticeIsLoggedOnceWhileItLasts() {
    try (LogCapture logs = new LogCapture()) {
      SnapshotRef snapshots = new SnapshotRef(snapshot(1, OUTLIER));
      try (Sidecar sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1), snapshots)) {
        assertThat(logs.lines("WARN", "config version 1", OUTLIER)).hasSize(1);
        snapshots.set(snapshot(2, OUTLIER));
        snapshots.set(snapshot(3, OUTLIER, TCP));
        assertThat(logs.lines("WARN", OUTLIER)).as("not repeated while it stays").hasSize(1);
        assertThat(logs.lines("WARN", "config version 3", TCP)).hasSize(1);
        snapshots.set(snapshot(4));
        snapshots.set(snapshot(5, OUTLIER));
        assertThat(logs.lines("WARN", "config version 5", OUTLIER)).as("back after it went away").hasSize(1);
        assertThat(logs.lines("WARN", "config version")).hasSize(3);
      }
    }
  }
}
