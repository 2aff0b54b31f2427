package io.meshwork.proxy.hardening.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.hardening.probe.ProbeCase.PortKind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of {@code http1-probe-cases.txt} over a raw socket to a real sidecar's proxy port,
 * upstream port and inbound port, all in front of one counting backend: the answer is the one the
 * case names for that port, a refusal ends the connection after exactly one response and nothing
 * of the refused request reaches the backend, and the request sent after every case
 * ({@code GET /smuggled}) never does.
 */
@Timeout(60)
class Http1ProbeTest {
  static final byte[] SMUGGLED = ("GET " + ProbeBackend.SMUGGLED_PATH + " HTTP/1.1\r\nHost: hello\r\n\r\n")
      .getBytes(StandardCharsets.ISO_8859_1);
  static final int QUIET_MILLIS = 3000;
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

  static Stream<Arguments> cases() {
    return ProbeCases.load().stream()
        .flatMap(c -> Stream.of(PortKind.values()).map(port -> Arguments.of(c, port)));
  }

  static byte[] withSmuggled(byte[] request) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(request);
    out.writeBytes(SMUGGLED);
    return out.toByteArray();
  }

  @ParameterizedTest(name = "{0} on the {1} port")
  @MethodSource("cases")
  void answersAsTheCaseSaysAndNothingIsSmuggled(ProbeCase probe, PortKind port) throws Exception {
    backend.clear();
    ProbeClient.Outcome outcome = ProbeClient.send(mesh.port(port), withSmuggled(probe.request()), QUIET_MILLIS);
    String expected = probe.expected(port);
    assertThat(outcome.answer()).as("%s (%s): %s", probe.id(), probe.rfc(), outcome.text()).isEqualTo(expected);
    assertThat(backend.sawSmuggled()).as("smuggled request reached the backend: %s", backend.requests()).isFalse();
    if (expected.matches("\\d{3}")) {
      assertThat(outcome.responses()).as(outcome.text()).isEqualTo(1);
      assertThat(outcome.closed()).as("connection closed after the response").isTrue();
    }
    if (probe.forwarded(port)) {
      assertThat(backend.requests()).hasSize(1);
    } else if (expected.matches("4\\d\\d|5\\d\\d") && !"502".equals(expected)) {
      assertThat(backend.requests()).as("a refused request is not forwarded").isEmpty();
    }
  }

  @Test
  void caseListIsWellFormed() {
    var cases = ProbeCases.load();
    assertThat(cases).hasSizeGreaterThan(100);
    assertThat(cases).extracting(ProbeCase::id).doesNotHaveDuplicates();
    assertThat(cases).allSatisfy(c -> assertThat(c.expected()).matches("\\d{3}|close|timeout|non-http"));
  }
}
