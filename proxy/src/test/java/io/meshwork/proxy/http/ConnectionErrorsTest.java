package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The tail handler counts client-caused errors by reason and logs at most one line per reason per interval. */
class ConnectionErrorsTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final ConnectionErrorLog log = new ConnectionErrorLog(now::get, TimeUnit.SECONDS.toNanos(10));

  @Test
  void countsByReasonAndClosesTheConnectionUnlessTheHttp2CodecDoes() {
    RejectionCounters counters = new RejectionCounters();
    EmbeddedChannel ch = new EmbeddedChannel(new ConnectionErrors(counters, log));
    ch.pipeline().fireExceptionCaught(Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "bad frame"));
    // The codec writes GOAWAY after reporting, then closes.
    assertThat(ch.isOpen()).isTrue();
    EmbeddedChannel other = new EmbeddedChannel(new ConnectionErrors(counters, log));
    other.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    assertThat(other.isOpen()).isFalse();
    assertThat(counters.count(ConnectionError.H2_PROTOCOL_ERROR)).isEqualTo(1);
    assertThat(counters.count(ConnectionError.IO)).isEqualTo(1);
    assertThat(counters.total()).as("rejected requests are counted apart").isZero();
  }

  @Test
  void oneLinePerReasonPerIntervalNamingHowManyWereLeftOut() {
    Http2Exception flood = Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM, "too many RST_STREAM");
    assertThat(log.report(ConnectionError.H2_FLOOD, "/127.0.0.1:1", flood))
        .isEqualTo("downstream connection error h2_flood from /127.0.0.1:1: too many RST_STREAM");
    for (int i = 0; i < 500; i++) {
      assertThat(log.report(ConnectionError.H2_FLOOD, "/127.0.0.1:1", flood)).isNull();
    }
    // Another reason has its own budget.
    assertThat(log.report(ConnectionError.IO, "/127.0.0.1:2", new IOException("reset"))).isNotNull();
    now.addAndGet(TimeUnit.SECONDS.toNanos(9));
    assertThat(log.report(ConnectionError.H2_FLOOD, "/127.0.0.1:1", flood)).isNull();
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertThat(log.report(ConnectionError.H2_FLOOD, "/127.0.0.1:3", flood)).endsWith("(501 more since the last report)");
  }

  @Test
  void messagesAreShortPrintableAndNeverAStackTrace() {
    String line = log.report(ConnectionError.OTHER, "/127.0.0.1:1", new IllegalStateException("a\nb\u0000" + "x".repeat(500)));
    assertThat(line).doesNotContain("\n").doesNotContain("\tat ").contains("a?b?").endsWith("...");
    assertThat(line.length()).isLessThan(300);
    assertThat(ConnectionErrorLog.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
  }

  @Test
  void classifiesByHttp2ErrorCodeAndCause() {
    assertThat(ConnectionError.of(Http2Exception.connectionError(Http2Error.FRAME_SIZE_ERROR, "x")))
        .isEqualTo(ConnectionError.H2_FRAME_SIZE_ERROR);
    assertThat(ConnectionError.of(new io.netty.handler.codec.DecoderException(
        Http2Exception.connectionError(Http2Error.COMPRESSION_ERROR, "x")))).isEqualTo(ConnectionError.H2_COMPRESSION_ERROR);
    assertThat(ConnectionError.of(new io.netty.handler.codec.DecoderException(new javax.net.ssl.SSLException("x"))))
        .isEqualTo(ConnectionError.TLS);
    assertThat(ConnectionError.of(new io.netty.handler.codec.DecoderException("x"))).isEqualTo(ConnectionError.DECODER);
    assertThat(ConnectionError.of(new RuntimeException())).isEqualTo(ConnectionError.OTHER);
  }
}
