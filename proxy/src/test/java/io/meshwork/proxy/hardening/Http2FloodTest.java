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
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;
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
 * HTTP/2 attacks written as raw frames to a running sidecar (h2c prior knowledge): floods end the
 * connection with GOAWAY; malformed and connection-specific headers reset their stream with
 * PROTOCOL_ERROR (RFC 9113 §8.1.1, §8.2.2) and reach no backend.
 */
@Timeout(60)
class Http2FloodTest {
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

  @BeforeEach
  void forget() {
    backend.received.clear();
  }

  private static RawH2 connect() throws Exception {
    return new RawH2(sidecar.httpPort(), 0);
  }

  private static RawH2.Frame goAway(List<RawH2.Frame> frames) {
    return frames.stream().filter(f -> f.type() == RawH2.GOAWAY).findFirst()
        .orElseThrow(() -> new AssertionError("no GOAWAY among " + frames.size() + " frames"));
  }

  @Test
  void legitimateRequestIsServed() throws Exception {
    try (RawH2 h2 = connect()) {
      h2.headers(1, RawH2.request("hello", "/fine"), true).flush();
      List<RawH2.Frame> frames = h2.readUntil(f -> f.stream() == 1 && (f.flags() & RawH2.END_STREAM) != 0);
      assertThat(frames).anyMatch(f -> f.type() == RawH2.HEADERS && f.stream() == 1);
    }
    assertThat(backend.received).hasSize(1);
  }

  @Test
  void rapidResetEndsTheConnection() throws Exception {
    try (RawH2 h2 = connect()) {
      // CVE-2023-44487: open and cancel streams at once, more than the window allows.
      for (int i = 0; i < 400; i++) {
        int stream = 1 + 2 * i;
        h2.headers(stream, RawH2.request("nowhere", "/r"), false).rst(stream, RawH2.CANCEL);
      }
      h2.flush();
      RawH2.Frame goAway = goAway(h2.readUntil(f -> f.type() == RawH2.GOAWAY));
      assertThat(goAway.errorCode()).isNotZero();
      assertThat(h2.closedByPeer()).isTrue();
    }
  }

  @Test
  void emptyDataFrameFloodEndsTheConnection() throws Exception {
    try (RawH2 h2 = connect()) {
      h2.headers(1, RawH2.request("nowhere", "/e"), false);
      for (int i = 0; i < 50; i++) {
        h2.frame(RawH2.DATA, 0, 1, new byte[0]);
      }
      h2.flush();
      assertThat(goAway(h2.readUntil(f -> f.type() == RawH2.GOAWAY)).errorCode()).isNotZero();
      assertThat(h2.closedByPeer()).isTrue();
    }
  }

  @Test
  void continuationFloodEndsTheConnection() throws Exception {
    try (RawH2 h2 = connect()) {
      byte[] block = h2.block(RawH2.request("hello", "/c"));
      h2.frame(RawH2.HEADERS, RawH2.END_STREAM, 1, block);
      // A header block that never ends: many tiny CONTINUATION frames (CVE-2024-27316-style).
      byte[] tiny = h2.block(new io.netty.handler.codec.http2.DefaultHttp2Headers(false).add("x", "y"));
      for (int i = 0; i < 2000; i++) {
        h2.frame(RawH2.CONTINUATION, 0, 1, tiny);
      }
      h2.flush();
      assertThat(goAway(h2.readUntil(f -> f.type() == RawH2.GOAWAY)).errorCode()).isNotZero();
      assertThat(h2.closedByPeer()).isTrue();
    }
    assertThat(backend.received).isEmpty();
  }

  @Test
  void oversizedHeaderListIsRefused() throws Exception {
    try (RawH2 h2 = connect()) {
      Http2Headers big = RawH2.request("hello", "/big");
      for (int i = 0; i < 40; i++) {
        big.add("x-big-" + i, "v".repeat(2000));
      }
      h2.headers(1, big, true).flush();
      List<RawH2.Frame> frames = h2.readUntil(f -> f.stream() == 1 || f.type() == RawH2.GOAWAY);
      // RFC 9113 §10.5.1: a 431 or a reset; never forwarded.
      assertThat(frames).anyMatch(f -> f.stream() == 1 && (f.type() == RawH2.RST_STREAM || f.type() == RawH2.HEADERS)
          || f.type() == RawH2.GOAWAY);
    }
    assertThat(backend.received).isEmpty();
  }

  static Stream<Arguments> controlFloods() {
    byte[] ping = new byte[8];
    return Stream.of(Arguments.of("PING", RawH2.PING, ping), Arguments.of("SETTINGS", RawH2.SETTINGS, new byte[0]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("controlFloods")
  void controlFrameFloodFromAPeerThatDoesNotReadEndsTheConnection(String name, int type, byte[] payload) throws Exception {
    try (RawH2 h2 = new RawH2(sidecar.httpPort(), 4096)) {
      boolean open = true;
      long deadline = System.nanoTime() + 20_000_000_000L;
      // Every frame asks for an ack the client never reads; the acks queue until the limit ends the connection.
      for (int round = 0; round < 2000 && open && System.nanoTime() < deadline; round++) {
        for (int i = 0; i < 2000; i++) {
          h2.frame(type, 0, 0, payload);
        }
        open = h2.flush();
      }
      assertThat(open ? h2.closedByPeerAfterDraining() : true).isTrue();
    }
  }

  static Stream<Arguments> badHeaders() {
    return Stream.of(
        Arguments.of("connection", RawH2.request("hello", "/x").add("connection", "keep-alive")),
        Arguments.of("keep-alive", RawH2.request("hello", "/x").add("keep-alive", "timeout=5")),
        Arguments.of("transfer-encoding", RawH2.request("hello", "/x").add("transfer-encoding", "chunked")),
        Arguments.of("upgrade", RawH2.request("hello", "/x").add("upgrade", "websocket")),
        Arguments.of("proxy-connection", RawH2.request("hello", "/x").add("proxy-connection", "keep-alive")),
        Arguments.of("te gzip", RawH2.request("hello", "/x").add("te", "gzip")),
        Arguments.of("uppercase name", RawH2.request("hello", "/x").add("X-Upper", "1")),
        Arguments.of("missing :path", new io.netty.handler.codec.http2.DefaultHttp2Headers(false)
            .method("GET").scheme("http").authority("hello")),
        Arguments.of("missing :method", new io.netty.handler.codec.http2.DefaultHttp2Headers(false)
            .scheme("http").authority("hello").path("/x")),
        Arguments.of("unknown pseudo-header", RawH2.request("hello", "/x").add(":foo", "bar")),
        Arguments.of("response pseudo-header", RawH2.request("hello", "/x").add(":status", "200")),
        Arguments.of("empty :path", new io.netty.handler.codec.http2.DefaultHttp2Headers(false)
            .method("GET").scheme("http").authority("hello").path("")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badHeaders")
  void malformedRequestHeadersResetTheStreamAndAreNotForwarded(String name, Http2Headers headers) throws Exception {
    try (RawH2 h2 = connect()) {
      h2.headers(1, headers, true).flush();
      List<RawH2.Frame> frames = h2.readUntil(f -> f.type() == RawH2.RST_STREAM || f.type() == RawH2.GOAWAY);
      assertThat(frames).anyMatch(f -> (f.type() == RawH2.RST_STREAM && f.stream() == 1 || f.type() == RawH2.GOAWAY)
          && f.errorCode() == RawH2.PROTOCOL_ERROR);
      assertThat(frames).noneMatch(f -> f.type() == RawH2.HEADERS && f.stream() == 1);
    }
    assertThat(backend.received).isEmpty();
  }
}
