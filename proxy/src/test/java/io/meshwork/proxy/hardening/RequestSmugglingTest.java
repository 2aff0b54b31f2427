package io.meshwork.proxy.hardening;

import static io.meshwork.proxy.fixtures.Meshes.cluster;
import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Smuggling and malformed HTTP/1.1 over real sockets through a running sidecar: each request is
 * answered once with its status and Connection: close, the connection ends, and the backend sees
 * nothing of the bad request nor of anything sent after it.
 */
@Timeout(30)
class RequestSmugglingTest {
  private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: hello\r\n\r\n";
  static TestBackend backend;
  static Sidecar sidecar;

  @BeforeAll
  static void start() {
    backend = TestBackend.http1((req, n) -> TestBackend.text(HttpResponseStatus.OK, "ok " + req.uri()));
    sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1),
        Meshes.snapshot(host("hello", forward(cluster("hello", backend.address())))));
  }

  @AfterAll
  static void stop() {
    sidecar.close();
    backend.close();
  }

  @BeforeEach
  void forget() {
    backend.received.clear();
  }

  static Stream<Arguments> attacks() {
    return Stream.of(
        Arguments.of("CL.TE", "POST /a HTTP/1.1\r\nHost: hello\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", 400),
        Arguments.of("TE.CL", "POST /a HTTP/1.1\r\nHost: hello\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", 400),
        Arguments.of("TE obfuscated", "POST /a HTTP/1.1\r\nHost: hello\r\nTransfer-Encoding: xchunked\r\nContent-Length: 3\r\n\r\nabc", 400),
        Arguments.of("TE gzip", "POST /a HTTP/1.1\r\nHost: hello\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        Arguments.of("TE folded", "POST /a HTTP/1.1\r\nHost: hello\r\nTransfer-Encoding:\r\n chunked\r\nContent-Length: 3\r\n\r\nabc", 400),
        Arguments.of("duplicate CL", "POST /a HTTP/1.1\r\nHost: hello\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
        Arguments.of("differing CL", "POST /a HTTP/1.1\r\nHost: hello\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc", 400),
        Arguments.of("malformed CL", "POST /a HTTP/1.1\r\nHost: hello\r\nContent-Length: 3x\r\n\r\nabc", 400),
        Arguments.of("obs-fold", "GET /a HTTP/1.1\r\nHost: hello\r\nX-Forwarded-For: 1.2.3.4\r\n 5.6.7.8\r\n\r\n", 400),
        Arguments.of("bad header name", "GET /a HTTP/1.1\r\nHost: hello\r\nX\u0000Y: 1\r\n\r\n", 400),
        Arguments.of("control character", "GET /a HTTP/1.1\r\nHost: hello\r\nX-A: 1\u000b2\r\n\r\n", 400),
        Arguments.of("bare LF", "GET /a HTTP/1.1\nHost: hello\n\n", 400),
        Arguments.of("missing Host", "GET /a HTTP/1.1\r\n\r\n", 400),
        Arguments.of("two Hosts", "GET /a HTTP/1.1\r\nHost: hello\r\nHost: other\r\n\r\n", 400),
        Arguments.of("bad request line", "GET /a HTTP/1.1 extra\r\nHost: hello\r\n\r\n", 400),
        Arguments.of("HTTP/0.9", "GET /a\r\n\r\n", 400),
        Arguments.of("long URI", "GET /" + "a".repeat(9 * 1024) + " HTTP/1.1\r\nHost: hello\r\n\r\n", 414),
        Arguments.of("many headers", "GET /a HTTP/1.1\r\nHost: hello\r\n" + "X-N: 1\r\n".repeat(101) + "\r\n", 431),
        Arguments.of("large headers", "GET /a HTTP/1.1\r\nHost: hello\r\nX-B: " + "b".repeat(61 * 1024) + "\r\n\r\n", 431));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void refusedOnceClosedAndNothingForwarded(String name, String attack, int status) throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(sidecar.httpPort(), attack + SMUGGLED);
    assertThat(reply.text()).startsWith("HTTP/1.1 " + status + " ");
    assertThat(reply.text().toLowerCase()).contains("connection: close");
    assertThat(reply.statusLines()).isEqualTo(1);
    assertThat(reply.closed()).isTrue();
    assertThat(backend.received).isEmpty();
  }

  @Test
  void badChunkSizeIsAnswered400AndNothingReachesTheBackend() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(sidecar.httpPort(),
        "POST /a HTTP/1.1\r\nHost: hello\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n" + SMUGGLED);
    assertThat(reply.text()).startsWith("HTTP/1.1 400 ");
    assertThat(reply.statusLines()).isEqualTo(1);
    assertThat(reply.closed()).isTrue();
    assertThat(backend.received).isEmpty();
  }

  @Test
  void legitimateRequestThenSmugglingAttemptGetsOnlyTheFirstForwarded() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(sidecar.httpPort(),
        "GET /first HTTP/1.1\r\nHost: hello\r\n\r\n"
            + "POST /a HTTP/1.1\r\nHost: hello\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            + SMUGGLED);
    assertThat(reply.text()).startsWith("HTTP/1.1 200 ").contains("ok /first");
    assertThat(reply.statusLines()).isEqualTo(2);
    assertThat(reply.text().indexOf("HTTP/1.1 400 ")).isGreaterThan(0);
    assertThat(reply.closed()).isTrue();
    assertThat(backend.received).extracting(HttpRequest::uri).containsExactly("/first");
  }

  @Test
  void pipelinedRequestsStillWork() throws Exception {
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      batch.append("GET /p").append(i).append(" HTTP/1.1\r\nHost: hello\r\n\r\n");
    }
    batch.append("GET /last HTTP/1.1\r\nHost: hello\r\nConnection: close\r\n\r\n");
    RawHttp.Reply reply = RawHttp.exchange(sidecar.httpPort(), batch.toString());
    assertThat(reply.statusLines()).as(reply.text()).isEqualTo(5);
    assertThat(reply.closed()).isTrue();
  }

  @Test
  void absoluteFormTargetWinsOverHost() throws Exception {
    try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), sidecar.httpPort())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write("GET http://hello/abs HTTP/1.1\r\nHost: attacker\r\nConnection: close\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      RawHttp.Reply reply = RawHttp.readUntilClose(s.getInputStream());
      assertThat(reply.text()).startsWith("HTTP/1.1 200 ").contains("ok /abs");
    }
    assertThat(backend.received.poll().headers().get("host")).isEqualTo("hello");
  }
}
