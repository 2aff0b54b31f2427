package io.meshwork.proxy.hardening;

import static io.meshwork.proxy.fixtures.Meshes.cluster;
import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that sends broken HTTP/2 frames over and over gets GOAWAY each time, and the sidecar's
 * log (slf4j-simple on stderr in tests) holds no stack trace and at most one line per error
 * reason per 10 s, however many connections fail.
 */
@Timeout(60)
class Http2ConnectionErrorLogTest {
  static TestBackend backend;
  static Sidecar sidecar;

  @BeforeAll
  static void start() {
    backend = TestBackend.http1((req, n) -> TestBackend.text(HttpResponseStatus.OK, "ok"));
    sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1),
        Meshes.snapshot(host("hello", forward(cluster("hello", backend.address())))));
  }

  @AfterAll
  static void stop() {
    sidecar.close();
    backend.close();
  }

  /** Frames that are each a connection error (RFC 9113 §5.4.1) of a different kind. */
  private static void sendBroken(RawH2 h2, int kind) {
    switch (kind % 4) {
      // DATA on stream 0: PROTOCOL_ERROR (RFC 9113 §6.1).
      case 0 -> h2.frame(RawH2.DATA, 0, 0, new byte[] {1, 2, 3});
      // SETTINGS whose length is no multiple of 6: FRAME_SIZE_ERROR (§6.5).
      case 1 -> h2.frame(RawH2.SETTINGS, 0, 0, new byte[] {0, 1, 0});
      // A header block that is no HPACK: COMPRESSION_ERROR (§4.3).
      case 2 -> h2.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, 1, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
      // WINDOW_UPDATE past 2^31-1 on the connection: FLOW_CONTROL_ERROR (§6.9.1).
      default -> h2.frame(0x8, 0, 0, new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff})
          .frame(0x8, 0, 0, new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
    }
  }

  @Test
  void brokenFramesAreAnsweredWithGoawayAndLoggedWithoutStackTraces() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    long started = System.nanoTime();
    int connections = 40;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (int i = 0; i < connections; i++) {
        try (RawH2 h2 = new RawH2(sidecar.httpPort(), 0)) {
          sendBroken(h2, i);
          h2.flush();
          List<RawH2.Frame> frames = h2.readUntil(f -> f.type() == RawH2.GOAWAY);
          assertThat(frames).as("connection %d", i).anyMatch(f -> f.type() == RawH2.GOAWAY && f.errorCode() != 0);
          assertThat(h2.closedByPeerAfterDraining()).isTrue();
        }
      }
      // Each line is written before its GOAWAY (the codec reports the error, then answers), so
      // all are in by the time the last connection ended.
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    original.print(log);
    List<String> lines = log.lines().filter(l -> !l.isBlank()).toList();
    assertThat(log).doesNotContain("reached at the tail of the pipeline");
    assertThat(lines).noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by:") || l.matches("^\\s+at .*"));
    long tenSecondWindows = 1 + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) / 10;
    List<String> reports = lines.stream().filter(l -> l.contains("downstream connection error")).toList();
    assertThat(reports).isNotEmpty();
    // Four kinds of error, each at most once per 10 s window (plus one for a window boundary).
    assertThat(reports.size()).as(String.join("\n", reports)).isLessThanOrEqualTo((int) (4 * (tenSecondWindows + 1)));
    assertThat(lines.size()).as(log).isLessThan(connections);
  }
}
