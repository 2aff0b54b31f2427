package io.meshwork.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives one connection on a frozen embedded clock, playing the server by hand. */
class LoadConnectionTest {

  private static final long MS = 1_000_000L;

  private ByteBuf request;
  private LoadConnection connection;
  private EmbeddedChannel channel;

  @BeforeEach
  void setUp() {
    request = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nhost: t\r\n\r\n", StandardCharsets.US_ASCII);
    connection = new LoadConnection(request);
    channel = new EmbeddedChannel(new HttpResponseDecoder(), connection);
    channel.freezeTime();
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
    request.release();
  }

  @Test
  void aStallIsChargedToEveryRequestThatShouldHaveBeenSentDuringIt() {
    // 1000 req/s for 10 ms; the server holds the first answer for 5 ms, then answers at once.
    start(new Pacing.FixedRate(1000), 0, 10 * MS);
    assertThat(sentRequests()).isEqualTo(1);
    advance(5 * MS);
    respond(200);
    // Slots 1..4 (due at 1..4 ms) went out late, one after another, as each answer came back.
    for (int i = 0; i < 4; i++) {
      assertThat(sentRequests()).isEqualTo(1);
      respond(200);
    }
    for (int slot = 5; slot < 10; slot++) {
      assertThat(sentRequests()).isEqualTo(1);
      respond(200);
      advance(MS);
    }
    assertThat(connection.finished()).isDone();
    Histogram latency = connection.finished().join().latencyNanos();
    assertThat(latency.getTotalCount()).isEqualTo(10);
    // A closed-loop client would have recorded one 5 ms sample and nine zeros; the queue behind
    // the stall is what the application would have seen: 5, 4, 3, 2 and 1 ms.
    assertThat(latency.getMaxValue()).isBetween(5 * MS - 5_000, 5 * MS + 5_000);
    assertThat(latency.getCountBetweenValues(MS / 2, 6 * MS)).isEqualTo(5);
    assertThat(latency.getValueAtPercentile(50)).isLessThan(MS / 2);
  }

  @Test
  void waitsForTheIntendedStartWhenTheServerIsFast() {
    start(new Pacing.FixedRate(100), 0, 30 * MS);
    assertThat(sentRequests()).isEqualTo(1);
    advance(MS);
    respond(200);
    advance(8 * MS);
    assertThat(sentRequests()).isZero();
    advance(MS);
    assertThat(sentRequests()).isEqualTo(1);
    respond(200);
    advance(10 * MS);
    assertThat(sentRequests()).isEqualTo(1);
    respond(200);
    advance(10 * MS);
    assertThat(connection.finished()).isDone();
    ConnectionStats stats = connection.finished().join();
    assertThat(stats.succeeded()).isEqualTo(3);
    assertThat(stats.latencyNanos().getMaxValue()).isBetween(MS - 1_000, MS + 1_000);
  }

  @Test
  void warmUpAnswersAreNotRecordedAndBadStatusesAreErrors() {
    start(new Pacing.FixedRate(1000), 2 * MS, 2 * MS);
    for (int slot = 0; slot < 4; slot++) {
      assertThat(sentRequests()).isEqualTo(1);
      respond(slot == 3 ? 503 : 200);
      advance(MS);
    }
    ConnectionStats stats = connection.finished().join();
    assertThat(stats.succeeded()).isEqualTo(1);
    assertThat(stats.failedStatus()).isEqualTo(1);
    assertThat(stats.latencyNanos().getTotalCount()).isEqualTo(1);
  }

  @Test
  void aConnectionClosedWithARequestInFlightCountsAnIoFailureAndFinishes() {
    start(new Pacing.Saturation(), 0, 10 * MS);
    assertThat(sentRequests()).isEqualTo(1);
    channel.close();
    ConnectionStats stats = connection.finished().join();
    assertThat(stats.failedIo()).isEqualTo(1);
    assertThat(stats.succeeded()).isZero();
  }

  @Test
  void abortAfterTheGracePeriodCountsTheUnansweredRequestAsTimedOut() {
    start(new Pacing.FixedRate(1000), 0, 5 * MS);
    assertThat(sentRequests()).isEqualTo(1);
    advance(50 * MS);
    connection.abort();
    ConnectionStats stats = connection.finished().join();
    assertThat(stats.timedOut()).isEqualTo(1);
    assertThat(stats.failedIo()).isZero();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void saturationSendsTheNextRequestAsSoonAsTheAnswerEnds() {
    start(new Pacing.Saturation(), 0, 3 * MS);
    for (int i = 0; i < 3; i++) {
      assertThat(sentRequests()).isEqualTo(1);
      advance(MS);
      respond(200);
    }
    assertThat(sentRequests()).isZero();
    ConnectionStats stats = connection.finished().join();
    assertThat(stats.succeeded()).isEqualTo(3);
    assertThat(stats.latencyNanos().getMinValue()).isBetween(MS - 1_000, MS + 1_000);
  }

  private void start(Pacing pacing, long warmupNanos, long durationNanos) {
    MeasurementWindow window = MeasurementWindow.of(channel.eventLoop().ticker().nanoTime(), warmupNanos, durationNanos);
    connection.start(Pacer.create(pacing, window, 0, 1), window);
  }

  private void advance(long nanos) {
    channel.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
  }

  private void respond(int status) {
    String text = "HTTP/1.1 " + status + " X\r\ncontent-length: 2\r\n\r\nok";
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
  }

  /** Requests written since the last call, checking each is the canned request. */
  private int sentRequests() {
    int count = 0;
    ByteBuf out;
    while ((out = channel.readOutbound()) != null) {
      assertThat(out.toString(StandardCharsets.US_ASCII)).startsWith("GET / HTTP/1.1\r\n");
      out.release();
      count++;
    }
    return count;
  }
}
