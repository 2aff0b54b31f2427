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
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/2 requests go on to an HTTP/1.1 application as HTTP/1.1, so they follow the HTTP/1 rules
 * for underscore header names: a framing lookalike resets the stream before anything is
 * forwarded, other underscore names are dropped; the connection and its other streams go on.
 */
@Timeout(30)
class Http2UnderscoreHeadersTest {
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

  @Test
  void framingLookalikeResetsItsStreamAndOthersAreDropped() throws Exception {
    try (RawH2 h2 = new RawH2(sidecar.httpPort(), 0)) {
      h2.headers(1, RawH2.request("hello", "/smuggle").add("content-length", "3").add("transfer_encoding", "chunked"),
          false);
      h2.frame(RawH2.DATA, RawH2.END_STREAM, 1, "abc".getBytes(StandardCharsets.US_ASCII));
      h2.flush();
      List<RawH2.Frame> first = h2.readUntil(f -> f.stream() == 1 && f.type() == RawH2.RST_STREAM);
      assertThat(first).anyMatch(f -> f.stream() == 1 && f.type() == RawH2.RST_STREAM
          && f.errorCode() == RawH2.PROTOCOL_ERROR);

      h2.headers(3, RawH2.request("hello", "/kept").add("x_forwarded_for", "6.6.6.6").add("x-kept", "1"), true);
      h2.flush();
      List<RawH2.Frame> second = h2.readUntil(f -> f.stream() == 3 && (f.flags() & RawH2.END_STREAM) != 0);
      assertThat(second).anyMatch(f -> f.stream() == 3 && f.type() == RawH2.HEADERS);
    }
    assertThat(backend.received).extracting(HttpRequest::uri).containsExactly("/kept");
    HttpRequest kept = backend.received.peek();
    assertThat(kept.headers().get("x-kept")).isEqualTo("1");
    assertThat(kept.headers().contains("x_forwarded_for")).isFalse();
  }
}
