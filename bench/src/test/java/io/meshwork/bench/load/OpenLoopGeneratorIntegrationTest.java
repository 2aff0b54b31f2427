package io.meshwork.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.bench.backend.EchoServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generator against the real echo backend over loopback sockets. */
class OpenLoopGeneratorIntegrationTest {

  private static EchoServer server;

  @BeforeAll
  static void startBackend() throws InterruptedException {
    server = EchoServer.start(0, 1, EchoServer.DEFAULT_BODY_BYTES);
  }

  @AfterAll
  static void stopBackend() {
    server.close();
  }

  @Test
  void openLoopSendsExactlyTheScheduledRequestsOfTheMeasuredPart() throws InterruptedException {
    LoadSpec spec = new LoadSpec("127.0.0.1", server.port(), "/", 4, 1, new Pacing.FixedRate(200),
        Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(2));

    LoadReport report = OpenLoopGenerator.run(spec);

    // 200 req/s for 1 s: 200 slots in the measured part, every one answered.
    assertThat(report.succeeded()).isEqualTo(200);
    assertThat(report.errors()).isZero();
    assertThat(report.latencyNanos().getTotalCount()).isEqualTo(200);
    assertThat(report.achievedRate()).isEqualTo(200.0);
    assertThat(report.resultLine()).startsWith("RESULT kind=latency rate=200 connections=4 ");
  }

  @Test
  void saturationCompletesRequestsWithoutErrors() throws InterruptedException {
    LoadSpec spec = new LoadSpec("127.0.0.1", server.port(), "/", 2, 1, new Pacing.Saturation(),
        Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofSeconds(2));

    LoadReport report = OpenLoopGenerator.run(spec);

    assertThat(report.succeeded()).isPositive();
    assertThat(report.errors()).isZero();
    assertThat(report.resultLine()).startsWith("RESULT kind=saturation connections=2 ");
  }

  @Test
  void aRefusedConnectionFailsTheRunWithItsCause() throws Exception {
    int closedPort;
    try (EchoServer gone = EchoServer.start(0, 1, 0)) {
      closedPort = gone.port();
    }
    LoadSpec spec = new LoadSpec("127.0.0.1", closedPort, "/", 1, 1, new Pacing.FixedRate(10),
        Duration.ZERO, Duration.ofMillis(100), Duration.ofSeconds(1));

    assertThatThrownBy(() -> OpenLoopGenerator.run(spec))
        .hasMessageContaining("Connection refused");
  }
}
