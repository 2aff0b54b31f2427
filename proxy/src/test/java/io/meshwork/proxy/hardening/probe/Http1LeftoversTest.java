package io.meshwork.proxy.hardening.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.hardening.probe.ProbeCase.PortKind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTP/1 requests that used to get through, or got the wrong answer, on some port type: each is
 * refused (or repaired) the same way on the proxy, upstream and inbound ports of a real sidecar.
 */
@Timeout(60)
class Http1LeftoversTest {
  static ProbeBackend backend;
  static ProbedSidecar mesh;

  @BeforeAll
  static void start() {
    backend = new ProbeBackend(0);
    mesh = new ProbedSidecar(backend);
  }

  @AfterAll
  static void stop() {
    mesh.close();
    backend.close();
  }

  @BeforeEach
  void forget() {
    backend.clear();
  }

  private static ProbeClient.Outcome send(PortKind port, String request) throws Exception {
    // Well below the 10 s request-head timeout: an answer within it is not the 408.
    return ProbeClient.send(mesh.port(port), request.getBytes(StandardCharsets.ISO_8859_1), 4000);
  }

  @ParameterizedTest
  @EnumSource(PortKind.class)
  void transferEncodingWithAnUnderscoreBesideContentLengthIsRefused(PortKind port) throws Exception {
    ProbeClient.Outcome outcome = send(port, "POST / HTTP/1.1\r\nHost: hello\r\nContent-Length: 5\r\n"
        + "Transfer_Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: hello\r\n\r\n");
    assertThat(outcome.answer()).as(outcome.text()).isEqualTo("400");
    assertThat(outcome.closed()).isTrue();
    assertThat(backend.requests()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(PortKind.class)
  void otherUnderscoreHeadersAreDroppedBeforeForwarding(PortKind port) throws Exception {
    ProbeClient.Outcome outcome = send(port, "GET / HTTP/1.1\r\nHost: hello\r\nX_Forwarded_For: 6.6.6.6\r\n"
        + "X-Kept: 1\r\nConnection: close\r\n\r\n");
    assertThat(outcome.answer()).isEqualTo("200");
    assertThat(backend.headerNames()).extracting(String::toLowerCase).contains("x-kept").doesNotContain("x_forwarded_for");
  }

  @ParameterizedTest
  @EnumSource(PortKind.class)
  void lowerCaseHttpNameIsRefused(PortKind port) throws Exception {
    assertThat(send(port, "GET / http/1.1\r\nHost: hello\r\n\r\n").answer()).isEqualTo("400");
    assertThat(backend.requests()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(PortKind.class)
  void bareCrIsRefusedAtOnceNotAfterTheHeadTimeout(PortKind port) throws Exception {
    // No LF at all: a parser that only splits lines on LF waits for the 408.
    ProbeClient.Outcome outcome = send(port, "GET / HTTP/1.1\rHost: hello\rX-A: b\r\r");
    assertThat(outcome.answer()).as(outcome.text()).isEqualTo("400");
    assertThat(outcome.closed()).isTrue();
    assertThat(backend.requests()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(PortKind.class)
  void emptyHostIsRefusedOnEveryPort(PortKind port) throws Exception {
    assertThat(send(port, "GET / HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n").answer()).isEqualTo("400");
    assertThat(backend.requests()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(PortKind.class)
  void longChunkExtensionIsABadRequestNotALongUri(PortKind port) throws Exception {
    ProbeClient.Outcome outcome = send(port, "POST / HTTP/1.1\r\nHost: hello\r\nTransfer-Encoding: chunked\r\n\r\n5;a="
        + "x".repeat(64 * 1024) + "\r\nhello\r\n0\r\n\r\n");
    assertThat(outcome.answer()).as(outcome.text()).isEqualTo("400");
    assertThat(outcome.text()).contains("chunk");
    assertThat(outcome.closed()).isTrue();
  }
}
