package io.meshwork.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.stack.RequestRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The access-log stage and its writer: lines reach the file off the caller's thread, bounded, never blocking. */
@Timeout(30)
class AccessLogStageTest {
  final IstioMetrics metrics = new IstioMetrics();

  @TempDir
  Path dir;

  String scrape() {
    return new String(metrics.scrape("text/plain").body(), StandardCharsets.UTF_8);
  }

  static List<String> awaitLines(Path file, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
      if (lines.size() >= n || System.nanoTime() > deadline) {
        return lines;
      }
      Thread.sleep(10);
    }
  }

  @Test
  void linesGoToTheConfiguredFileAndAFormatChangeKeepsTheFile() throws Exception {
    Path file = dir.resolve("access.log");
    try (AccessLogStage stage = new AccessLogStage(metrics, "orders.shop")) {
      assertThat(stage.configure(AccessLogConfig.of(file.toString(), AccessLogFormat.Encoding.TEXT,
          "%REQ(:METHOD)% %RESPONSE_CODE%"))).isNull();
      stage.onEnd(AccessLogFormatTest.record());
      assertThat(awaitLines(file, 1)).containsExactly("GET 200");
      stage.configure(AccessLogConfig.of(file.toString(), AccessLogFormat.Encoding.JSON, "{\"code\":\"%RESPONSE_CODE%\"}"));
      stage.onEnd(AccessLogFormatTest.record());
      assertThat(awaitLines(file, 2)).containsExactly("GET 200", "{\"code\":200}");
      stage.configure(AccessLogConfig.OFF);
      stage.onEnd(AccessLogFormatTest.record());
    }
    assertThat(Files.readAllLines(file)).hasSize(2);
  }

  @Test
  void aFileThatCannotBeOpenedTurnsTheLogOffWithAReasonAndACount() throws Exception {
    String missing = dir.resolve("no/such/dir/access.log").toString();
    try (AccessLogStage stage = new AccessLogStage(metrics, "orders.shop")) {
      String why = stage.configure(AccessLogConfig.of(missing, AccessLogFormat.Encoding.TEXT, null));
      assertThat(why).startsWith("access log " + missing + " cannot be opened (")
          .endsWith("); access logs are off until a configuration names a file that opens");
      stage.onEnd(AccessLogFormatTest.record()); // no writer: nothing happens, nothing throws
      assertThat(scrape()).contains("meshwork_access_log_open_failures_total 1.0");
      // A later snapshot with a good path turns the log on.
      Path good = dir.resolve("good.log");
      assertThat(stage.configure(AccessLogConfig.of(good.toString(), AccessLogFormat.Encoding.TEXT,
          "%RESPONSE_CODE%"))).isNull();
      stage.onEnd(AccessLogFormatTest.record());
      assertThat(awaitLines(good, 1)).containsExactly("200");
    }
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    OutputStream stalled = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        writing.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    AccessLogWriter writer = AccessLogWriter.to("stalled", stalled, 2, metrics.accessLogDropped(),
        metrics.accessLogWriteFailures());
    try {
      assertThat(writer.offer("first\n")).isTrue();
      assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue(); // the writer thread holds "first", stuck in write
      long start = System.nanoTime();
      assertThat(writer.offer("second\n")).isTrue();
      assertThat(writer.offer("third\n")).isTrue();
      assertThat(writer.offer("fourth\n")).isFalse();
      assertThat(writer.offer("fifth\n")).isFalse();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
      assertThat(scrape()).contains("meshwork_access_log_dropped_total 2.0");
    } finally {
      release.countDown();
      writer.close();
    }
  }

  @Test
  void writeFailuresAreCountedAndDoNotStopTheWriter() throws Exception {
    OutputStream broken = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("No space left on device");
      }
    };
    AccessLogWriter writer = AccessLogWriter.to("broken", broken, 16, metrics.accessLogDropped(),
        metrics.accessLogWriteFailures());
    assertThat(writer.offer("a\n")).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!scrape().contains("meshwork_access_log_write_failures_total 1.0") && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(writer.offer("b\n")).isTrue();
    writer.close();
    assertThat(scrape()).containsPattern("meshwork_access_log_write_failures_total [1-9]");
  }

  @Test
  void renderingAllocatesOneStringPerLine() {
    AccessLogFormat f = AccessLogFormat.istioDefault(AccessLogFormat.Encoding.TEXT);
    RequestRecord r = AccessLogFormatTest.record();
    String a = f.render(r);
    String b = f.render(r);
    assertThat(a).isEqualTo(b).isNotSameAs(b);
  }
}
