package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The strict HTTP/1 front on an EmbeddedChannel: every malformed or ambiguous request is refused, nothing after it is read. */
class Http1GuardTest {
  private static final String NEXT = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("CL and TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400, RejectReason.CONTENT_LENGTH_WITH_TRANSFER_ENCODING),
        Arguments.of("TE then CL", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\n",
            400, RejectReason.CONTENT_LENGTH_WITH_TRANSFER_ENCODING),
        Arguments.of("TE gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
            RejectReason.UNSUPPORTED_TRANSFER_ENCODING),
        Arguments.of("TE gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            501, RejectReason.UNSUPPORTED_TRANSFER_ENCODING),
        Arguments.of("TE xchunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 501,
            RejectReason.UNSUPPORTED_TRANSFER_ENCODING),
        Arguments.of("TE twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400, RejectReason.INVALID_TRANSFER_ENCODING),
        Arguments.of("TE on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
            RejectReason.INVALID_TRANSFER_ENCODING),
        Arguments.of("duplicate equal CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
            400, RejectReason.INVALID_CONTENT_LENGTH),
        Arguments.of("CL list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\nx", 400,
            RejectReason.INVALID_CONTENT_LENGTH),
        Arguments.of("CL sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\nx", 400,
            RejectReason.INVALID_CONTENT_LENGTH),
        Arguments.of("CL leading zero", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 01\r\n\r\nx", 400,
            RejectReason.INVALID_CONTENT_LENGTH),
        Arguments.of("CL hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x1\r\n\r\nx", 400,
            RejectReason.INVALID_CONTENT_LENGTH),
        Arguments.of("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400, RejectReason.OBSOLETE_LINE_FOLDING),
        Arguments.of("obs-fold tab", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", 400,
            RejectReason.OBSOLETE_LINE_FOLDING),
        Arguments.of("whitespace after request line", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400,
            RejectReason.OBSOLETE_LINE_FOLDING),
        Arguments.of("space before colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n", 400, RejectReason.INVALID_HEADER),
        Arguments.of("bad header name", "GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n", 400, RejectReason.INVALID_HEADER),
        Arguments.of("control character", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u0001c\r\n\r\n", 400,
            RejectReason.INVALID_HEADER),
        Arguments.of("NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u0000c\r\n\r\n", 400, RejectReason.INVALID_HEADER),
        Arguments.of("bare LF", "GET / HTTP/1.1\nHost: a\n\n", 400, RejectReason.INVALID_LINE_TERMINATOR),
        Arguments.of("missing Host", "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", 400, RejectReason.MISSING_HOST),
        Arguments.of("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, RejectReason.MULTIPLE_HOST),
        Arguments.of("Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400, RejectReason.INVALID_HOST),
        Arguments.of("Host with path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, RejectReason.INVALID_HOST),
        Arguments.of("no version", "GET /\r\nHost: a\r\n\r\n", 400, RejectReason.INVALID_REQUEST_LINE),
        Arguments.of("extra token", "GET / HTTP/1.1 x\r\nHost: a\r\n\r\n", 400, RejectReason.INVALID_REQUEST_LINE),
        Arguments.of("bad method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, RejectReason.INVALID_REQUEST_LINE),
        Arguments.of("leading whitespace", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, RejectReason.INVALID_REQUEST_LINE),
        Arguments.of("HTTP/2.0 on HTTP/1", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, RejectReason.UNSUPPORTED_VERSION),
        Arguments.of("target without slash", "GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", 400,
            RejectReason.INVALID_REQUEST_TARGET),
        Arguments.of("asterisk on GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, RejectReason.INVALID_REQUEST_TARGET),
        Arguments.of("control in target", "GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n", 400,
            RejectReason.INVALID_REQUEST_TARGET),
        Arguments.of("long URI", "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, RejectReason.URI_TOO_LONG),
        Arguments.of("large header", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(61 * 1024) + "\r\n\r\n", 431,
            RejectReason.HEADERS_TOO_LARGE),
        Arguments.of("many headers", "GET / HTTP/1.1\r\nHost: a\r\n" + "X-N: 1\r\n".repeat(100) + "\r\n", 431,
            RejectReason.TOO_MANY_HEADERS),
        Arguments.of("Transfer_Encoding beside CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
            + "Transfer_Encoding: chunked\r\n\r\nabc", 400, RejectReason.UNDERSCORE_HEADER),
        Arguments.of("Content_Length", "POST / HTTP/1.1\r\nHost: a\r\ncontent_length: 3\r\n\r\nabc", 400,
            RejectReason.UNDERSCORE_HEADER),
        Arguments.of("lower-case HTTP-name", "GET / http/1.1\r\nHost: a\r\n\r\n", 400, RejectReason.INVALID_REQUEST_LINE),
        Arguments.of("mixed-case HTTP-name", "GET / Http/1.1\r\nHost: a\r\n\r\n", 400, RejectReason.INVALID_REQUEST_LINE),
        Arguments.of("two-digit minor version", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400,
            RejectReason.INVALID_REQUEST_LINE),
        Arguments.of("two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, RejectReason.INVALID_REQUEST_LINE),
        Arguments.of("tab separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, RejectReason.INVALID_REQUEST_LINE),
        Arguments.of("trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, RejectReason.INVALID_REQUEST_LINE),
        Arguments.of("bare CR", "GET / HTTP/1.1\rHost: a\r\r", 400, RejectReason.INVALID_LINE_TERMINATOR),
        Arguments.of("bare CR in a field", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rX-B: c\r\n\r\n", 400,
            RejectReason.INVALID_LINE_TERMINATOR),
        Arguments.of("empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400, RejectReason.INVALID_HOST),
        Arguments.of("blank Host", "GET / HTTP/1.1\r\nHost:   \r\n\r\n", 400, RejectReason.INVALID_HOST),
        Arguments.of("empty Host on HTTP/1.0", "GET / HTTP/1.0\r\nHost:\r\n\r\n", 400, RejectReason.INVALID_HOST));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesWithStatusClosesAndReadsNothingAfter(String name, String request, int status, RejectReason reason) {
    try (GuardedPipeline p = new GuardedPipeline()) {
      String out = p.send(request + NEXT).output();
      assertThat(out).startsWith("HTTP/1.1 " + status + " ");
      assertThat(out.toLowerCase()).contains("connection: close");
      assertThat(GuardedPipeline.responses(out)).isEqualTo(1);
      assertThat(p.forwarded).isEmpty();
      assertThat(p.channel.isOpen()).isFalse();
      assertThat(p.counters.count(reason)).isEqualTo(1);
      assertThat(p.counters.total()).isEqualTo(1);
    }
  }

  static Stream<String> accepted() {
    return Stream.of(
        "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: orders.shop.svc.cluster.local:80\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "GET http://a/ HTTP/1.1\r\nHost:\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX_Custom: 1\r\n\r\n",
        "GET /a?b=c&d=%20 HTTP/1.1\r\nHost: a\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET https://a:8443/x HTTP/1.1\r\nHost: a:8443\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Obs-Text: caf\u00e9\r\nX-Tab: a\tb\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\nTE: trailers\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1 ; a=\"x;\\\";\" ; b\r\nx\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n" + "X-N: 1\r\n".repeat(99) + "\r\n",
        "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
  }

  @ParameterizedTest
  @MethodSource("accepted")
  void wellFormedRequestsPass(String request) {
    try (GuardedPipeline p = new GuardedPipeline()) {
      assertThat(p.send(request).output()).startsWith("HTTP/1.1 200 ");
      assertThat(p.forwarded).hasSize(1);
      assertThat(p.channel.isOpen()).isTrue();
      assertThat(p.counters.total()).isZero();
    }
  }

  static Stream<Arguments> badChunks() {
    return Stream.of(
        Arguments.of("zz\r\nabc\r\n0\r\n\r\n"),
        Arguments.of("-1\r\nabc\r\n0\r\n\r\n"),
        Arguments.of("0x3\r\nabc\r\n0\r\n\r\n"),
        Arguments.of(" 3\r\nabc\r\n0\r\n\r\n"),
        Arguments.of("fffffffffffffffff\r\nabc\r\n0\r\n\r\n"),
        Arguments.of("3\r\nabcX0\r\n\r\n"),
        Arguments.of("3\rabc\r\n0\r\n\r\n"),
        Arguments.of("3\nabc\r\n0\r\n\r\n"),
        Arguments.of("3;\r\nabc\r\n0\r\n\r\n"),
        Arguments.of("3; ;a\r\nabc\r\n0\r\n\r\n"));
  }

  @ParameterizedTest
  @MethodSource("badChunks")
  void badChunkEndsTheConnectionAndNothingAfterIsRead(String body) {
    try (GuardedPipeline p = new GuardedPipeline()) {
      String out = p.send("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body + NEXT).output();
      assertThat(p.forwarded).extracting(h -> h.uri()).containsExactly("/up");
      assertThat(out).doesNotContain("HTTP/1.1 200");
      assertThat(p.channel.isOpen()).isFalse();
      assertThat(p.counters.count(RejectReason.INVALID_CHUNK)).isEqualTo(1);
    }
  }

  @Test
  void pipelinedRequestsAfterFixedAndChunkedBodiesAreServedInOrder() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      String out = p.send("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n \r\n x"
          + "POST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\n\r\n \r\n0\r\nX-T: 1\r\n\r\n"
          + "GET /c HTTP/1.1\r\nHost: a\r\n\r\n").output();
      // Body bytes that look like folded lines are body, not head.
      assertThat(p.forwarded).extracting(h -> h.uri()).containsExactly("/a", "/b", "/c");
      assertThat(GuardedPipeline.responses(out)).isEqualTo(3);
      assertThat(out).contains("read 5").contains("read 3").contains("read 0");
      assertThat(p.channel.isOpen()).isTrue();
      assertThat(p.counters.total()).isZero();
    }
  }

  @Test
  void foldedTrailerIsRefused() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      p.send("POST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-T: 1\r\n 2\r\n\r\n");
      assertThat(p.channel.isOpen()).isFalse();
      assertThat(p.counters.count(RejectReason.OBSOLETE_LINE_FOLDING)).isEqualTo(1);
    }
  }

  @Test
  void headSplitAcrossReadsIsScannedAsOne() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      p.send("GET / HTTP/1.1\r\nHost: a\r").send("\nX-A: b\r\n").send(" folded\r\n\r\n");
      assertThat(p.forwarded).isEmpty();
      assertThat(p.output()).startsWith("HTTP/1.1 400 ");
      assertThat(p.counters.count(RejectReason.OBSOLETE_LINE_FOLDING)).isEqualTo(1);
    }
  }

  @Test
  void refusedPipelinedRequestIsAnsweredAfterTheOneBeforeIt() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      // The application answers only when the whole first body arrived: hold it back.
      p.send("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nx");
      p.send("yGET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + NEXT);
      String out = p.output();
      assertThat(out).startsWith("HTTP/1.1 200 ");
      assertThat(out.indexOf("HTTP/1.1 400 ")).isGreaterThan(0);
      assertThat(GuardedPipeline.responses(out)).isEqualTo(2);
      assertThat(p.forwarded).extracting(h -> h.uri()).containsExactly("/a");
      assertThat(p.channel.isOpen()).isFalse();
    }
  }

  @Test
  void absoluteFormAuthorityReplacesHost() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      p.send("GET http://orders:8080/x HTTP/1.1\r\nHost: evil\r\n\r\n");
      assertThat(p.forwarded).hasSize(1);
      assertThat(p.forwarded.get(0).headers().get("host")).isEqualTo("orders:8080");
    }
  }

  @Test
  void http10WithoutHostIsServed() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      assertThat(p.send("GET / HTTP/1.0\r\n\r\n").output()).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void slowHeadGets408AfterTheHeaderTimeout() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      p.send("GET / HTTP/1.1\r\nHost: a\r\n");
      p.channel.advanceTimeBy(9, TimeUnit.SECONDS);
      p.channel.runScheduledPendingTasks();
      p.send("X-Slow: 1\r\n");
      assertThat(p.channel.isOpen()).isTrue();
      p.channel.advanceTimeBy(2, TimeUnit.SECONDS);
      p.channel.runScheduledPendingTasks();
      String out = p.output();
      assertThat(out).startsWith("HTTP/1.1 408 ");
      assertThat(p.channel.isOpen()).isFalse();
      assertThat(p.counters.count(RejectReason.HEADER_TIMEOUT)).isEqualTo(1);
    }
  }

  @Test
  void slowBodyOfACompleteHeadIsNotCutByTheHeaderTimeout() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      p.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nx");
      p.channel.advanceTimeBy(30, TimeUnit.SECONDS);
      p.channel.runScheduledPendingTasks();
      assertThat(p.channel.isOpen()).isTrue();
      assertThat(p.send("y").output()).startsWith("HTTP/1.1 200 ").contains("read 2");
    }
  }

  @Test
  void idleKeepAliveConnectionClosesAfterTheIdleTimeoutOnly() {
    DownstreamLimits limits = DownstreamLimits.DEFAULTS.withIdleTimeout(Duration.ofMinutes(5));
    try (GuardedPipeline p = new GuardedPipeline(limits)) {
      assertThat(p.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").output()).startsWith("HTTP/1.1 200 ");
      p.channel.advanceTimeBy(4, TimeUnit.MINUTES);
      p.channel.runScheduledPendingTasks();
      assertThat(p.channel.isOpen()).isTrue();
      p.channel.advanceTimeBy(2, TimeUnit.MINUTES);
      p.channel.runScheduledPendingTasks();
      assertThat(p.channel.isOpen()).isFalse();
    }
  }

  @Test
  void silentConnectionClosesAfterTheIdleTimeout() {
    DownstreamLimits limits = DownstreamLimits.DEFAULTS.withIdleTimeout(Duration.ofSeconds(30));
    try (GuardedPipeline p = new GuardedPipeline(limits)) {
      p.channel.advanceTimeBy(31, TimeUnit.SECONDS);
      p.channel.runScheduledPendingTasks();
      assertThat(p.channel.isOpen()).isFalse();
    }
  }

  @Test
  void refusedUpgradeKeepsInspectingLaterHeads() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      // The test application answers 200: the upgrade did not happen.
      p.send("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
      p.send("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n folded\r\n\r\n");
      assertThat(p.forwarded).extracting(h -> h.uri()).containsExactly("/ws");
      assertThat(p.counters.count(RejectReason.OBSOLETE_LINE_FOLDING)).isEqualTo(1);
    }
  }

  @Test
  void underscoreHeadersAreDroppedByDefault() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      p.send("GET / HTTP/1.1\r\nHost: a\r\nX_Forwarded_For: 6.6.6.6\r\nX-Real: 1\r\nx_b: 2\r\n\r\n");
      assertThat(p.forwarded).hasSize(1);
      assertThat(p.forwarded.get(0).headers().names()).containsExactlyInAnyOrder("Host", "X-Real");
      assertThat(p.counters.total()).isZero();
    }
  }

  @Test
  void underscoreHeadersPassWhenAllowedAndAreRefusedWhenRejected() {
    try (GuardedPipeline p = new GuardedPipeline(DownstreamLimits.DEFAULTS.withUnderscoreHeaders(UnderscoreHeaders.ALLOW))) {
      p.send("GET / HTTP/1.1\r\nHost: a\r\nX_Custom: 1\r\n\r\n");
      assertThat(p.forwarded.get(0).headers().get("x_custom")).isEqualTo("1");
      // Framing lookalikes are refused whatever the setting.
      p.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\nContent-Length: 1\r\n\r\nx");
      assertThat(p.counters.count(RejectReason.UNDERSCORE_HEADER)).isEqualTo(1);
      assertThat(p.forwarded).hasSize(1);
    }
    try (GuardedPipeline p = new GuardedPipeline(DownstreamLimits.DEFAULTS.withUnderscoreHeaders(UnderscoreHeaders.REJECT))) {
      assertThat(p.send("GET / HTTP/1.1\r\nHost: a\r\nX_Custom: 1\r\n\r\n").output()).startsWith("HTTP/1.1 400 ");
      assertThat(p.forwarded).isEmpty();
      assertThat(p.counters.count(RejectReason.UNDERSCORE_HEADER)).isEqualTo(1);
    }
  }

  @Test
  void bareCrIsRefusedWithoutWaitingForTheHeaderTimeout() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      // No LF ever comes: the decoder alone would wait for the 408.
      assertThat(p.send("GET / HTTP/1.1\rHost: a\r").output()).startsWith("HTTP/1.1 400 ");
      assertThat(p.channel.isOpen()).isFalse();
      assertThat(p.counters.count(RejectReason.INVALID_LINE_TERMINATOR)).isEqualTo(1);
    }
  }

  @Test
  void crSplitFromItsLfAcrossReadsIsALineEnd() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      p.send("GET / HTTP/1.1\r").send("\nHost: a\r").send("\n\r").send("\n");
      assertThat(p.output()).startsWith("HTTP/1.1 200 ");
      assertThat(p.counters.total()).isZero();
    }
  }

  @Test
  void longChunkExtensionIsAMalformedBodyNotALongUri() {
    try (GuardedPipeline p = new GuardedPipeline()) {
      p.send("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;e=" + "x".repeat(64 * 1024)
          + "\r\nx\r\n0\r\n\r\n" + NEXT);
      assertThat(p.forwarded).extracting(h -> h.uri()).containsExactly("/up");
      assertThat(p.counters.count(RejectReason.CHUNK_LINE_TOO_LONG)).isEqualTo(1);
      assertThat(p.counters.count(RejectReason.URI_TOO_LONG)).isZero();
      assertThat(p.channel.isOpen()).isFalse();
    }
  }

  @Test
  void limitsAreValidatedWhereBuilt() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DownstreamLimits.DEFAULTS.withMaxHeaderCount(0))
        .hasMessage("maxHeaderCount: 0 (expected: > 0)");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DownstreamLimits.DEFAULTS.withHeaderTimeout(Duration.ZERO))
        .hasMessage("headerTimeout: PT0S (expected: > 0)");
  }
}
