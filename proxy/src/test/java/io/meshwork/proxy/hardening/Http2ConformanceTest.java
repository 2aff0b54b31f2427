package io.meshwork.proxy.hardening;

import static io.meshwork.proxy.fixtures.Meshes.cluster;
import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static io.meshwork.proxy.hardening.RawH2.ACK;
import static io.meshwork.proxy.hardening.RawH2.COMPRESSION_ERROR;
import static io.meshwork.proxy.hardening.RawH2.CONTINUATION;
import static io.meshwork.proxy.hardening.RawH2.DATA;
import static io.meshwork.proxy.hardening.RawH2.END_HEADERS;
import static io.meshwork.proxy.hardening.RawH2.END_STREAM;
import static io.meshwork.proxy.hardening.RawH2.FLOW_CONTROL_ERROR;
import static io.meshwork.proxy.hardening.RawH2.FRAME_SIZE_ERROR;
import static io.meshwork.proxy.hardening.RawH2.GOAWAY;
import static io.meshwork.proxy.hardening.RawH2.HEADERS;
import static io.meshwork.proxy.hardening.RawH2.PADDED;
import static io.meshwork.proxy.hardening.RawH2.PING;
import static io.meshwork.proxy.hardening.RawH2.PRIORITY;
import static io.meshwork.proxy.hardening.RawH2.PRIORITY_FLAG;
import static io.meshwork.proxy.hardening.RawH2.PROTOCOL_ERROR;
import static io.meshwork.proxy.hardening.RawH2.RST_STREAM;
import static io.meshwork.proxy.hardening.RawH2.SETTINGS;
import static io.meshwork.proxy.hardening.RawH2.STREAM_CLOSED;
import static io.meshwork.proxy.hardening.RawH2.WINDOW_UPDATE;
import static io.meshwork.proxy.hardening.RawH2.ints;
import static io.meshwork.proxy.hardening.RawH2.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP/2 conformance in the manner of h2spec: each case writes raw frames (RFC 9113, RFC 7541) to
 * one of the sidecar's three kinds of HTTP port, all h2c by prior knowledge (RFC 9113 §3.3), and
 * names the answer the RFC requires:
 *
 * <ul>
 *   <li>{@link Expect.ConnectionError}: GOAWAY with that code (RFC 9113 §5.4.1);
 *   <li>{@link Expect.StreamError}: RST_STREAM on the stream with that code, or GOAWAY with that code
 *       (an endpoint may always escalate a stream error to a connection error, §5.4.1; h2spec accepts
 *       both too);
 *   <li>{@link Expect.Response}: a response HEADERS on the stream, ending it;
 *   <li>{@link Expect.Ignored}: nothing but the usual; a PING sent after the case is still answered.
 * </ul>
 *
 * <p>The ports: the outbound HTTP proxy port (host from :authority), an upstream port
 * ({@code --upstream hello=PORT}: every request goes to that service), and the inbound port
 * (plaintext: no workload identity, so PERMISSIVE-style plaintext is all it speaks), forwarding to the
 * local application. One sidecar has all three; they share the HTTP/2 codec but not the route.
 */
@Timeout(120)
class Http2ConformanceTest {
  private static final byte[] PING_PAYLOAD = "h2-conf!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  static final String DEVIATIONS = "bug: Netty's HTTP/2 codec answers these with a stream error where RFC 9113"
      + " requires a connection error: HEADERS on a stream id lower than one already used (§5.1.1, MUST be"
      + " connection PROTOCOL_ERROR) gets RST_STREAM STREAM_CLOSED; a SETTINGS_INITIAL_WINDOW_SIZE that overflows an"
      + " open stream's window (§6.9.2, MUST be connection FLOW_CONTROL_ERROR) gets RST_STREAM FLOW_CONTROL_ERROR;"
      + " a second HEADERS on a half-closed (remote) stream (§5.1, MUST be STREAM_CLOSED) gets RST_STREAM"
      + " PROTOCOL_ERROR."
      + " Each row says what arrives instead.";
  static TestBackend backend;
  static Sidecar sidecar;

  /** What the sidecar must answer. */
  sealed interface Expect {
    record ConnectionError(int code) implements Expect {}

    record StreamError(int stream, int code) implements Expect {}

    record Response(int stream) implements Expect {}

    record Ignored() implements Expect {}

    /** A PING ACK echoing the payload (RFC 9113 §6.7). */
    record PingAck(byte[] payload) implements Expect {}
  }

  /** What a case writes after the connection preface and the client's SETTINGS. */
  interface Frames {
    void write(RawH2 h2, String authority) throws Exception;
  }

  /**
   * One row of the table. {@code deviation} is null when the sidecar answers as the RFC requires,
   * otherwise what it answers instead (those rows run in {@link #knownDeviations}, disabled).
   */
  record Case(String section, String title, Frames frames, Expect expect, String deviation) {
    Case deviates(String answer) {
      return new Case(section, title, frames, expect, answer);
    }

    @Override
    public String toString() {
      return "§" + section + " " + title;
    }
  }

  private static Expect connection(int code) {
    return new Expect.ConnectionError(code);
  }

  private static Expect stream(int stream, int code) {
    return new Expect.StreamError(stream, code);
  }

  private static Expect response(int stream) {
    return new Expect.Response(stream);
  }

  private static Expect ignored() {
    return new Expect.Ignored();
  }

  private static Case c(String section, String title, Frames frames, Expect expect) {
    return new Case(section, title, frames, expect, null);
  }

  private static Http2Headers get(String authority, String path) {
    return RawH2.request(authority, path);
  }

  private static Http2Headers post(String authority, String path) {
    return new DefaultHttp2Headers(false).method("POST").scheme("http").authority(authority).path(path);
  }

  /** A header block without the pseudo-header {@code missing}. */
  private static Http2Headers without(String authority, String missing) {
    Http2Headers h = get(authority, "/x");
    h.remove(missing);
    return h;
  }

  /** A block with the given HPACK bytes after a valid request's: decoding fails on the tail (RFC 7541). */
  private static Frames hpackTail(byte... tail) {
    return (h2, a) -> {
      byte[] head = h2.block(get(a, "/hpack"));
      byte[] block = Arrays.copyOf(head, head.length + tail.length);
      System.arraycopy(tail, 0, block, head.length, tail.length);
      h2.frame(HEADERS, END_HEADERS | END_STREAM, 1, block);
    };
  }

  /** HEADERS with the PADDED flag: pad length, block, padding (RFC 9113 §6.2). */
  private static byte[] padded(byte[] block, int padLength, int actualPadding) {
    byte[] b = new byte[1 + block.length + actualPadding];
    b[0] = (byte) padLength;
    System.arraycopy(block, 0, b, 1, block.length);
    return b;
  }

  static List<Case> cases() {
    return List.of(
        // §3.4 / §6.5: the server's preface is a SETTINGS frame, and our SETTINGS get an ACK.
        c("3.4", "server answers the client's SETTINGS with SETTINGS ACK", (h2, a) -> { }, ignored()),

        // §4.1 frame format
        c("4.1", "unknown frame type is ignored", (h2, a) -> h2.frame(0x16, 0, 0, new byte[8]), ignored()),
        c("4.1", "undefined flags on PING are ignored", (h2, a) -> h2.frame(PING, 0x16 & ~ACK, 0, PING_PAYLOAD),
            new Expect.PingAck(PING_PAYLOAD)),
        c("4.1", "reserved bit of the stream identifier is ignored",
            (h2, a) -> h2.frame(HEADERS, END_HEADERS | END_STREAM, 0x80000001, h2.block(get(a, "/r"))), response(1)),

        // §4.2 frame size (SETTINGS_MAX_FRAME_SIZE is the default 16384 here)
        c("4.2", "DATA larger than SETTINGS_MAX_FRAME_SIZE is FRAME_SIZE_ERROR (stream or connection)",
            (h2, a) -> h2.headers(1, post(a, "/big"), false).frame(DATA, END_STREAM, 1, new byte[16385]),
            stream(1, FRAME_SIZE_ERROR)),
        c("4.2", "HEADERS larger than SETTINGS_MAX_FRAME_SIZE is a connection FRAME_SIZE_ERROR",
            (h2, a) -> {
              byte[] block = h2.block(get(a, "/big"));
              h2.frame(HEADERS, END_HEADERS | END_STREAM, 1, Arrays.copyOf(block, 16385));
            }, connection(FRAME_SIZE_ERROR)),

        // §4.3 header compression: a block that does not decode is a connection COMPRESSION_ERROR
        c("4.3", "undecodable header block is COMPRESSION_ERROR", hpackTail((byte) 0x80), connection(COMPRESSION_ERROR)),

        // §5.1 stream states
        c("5.1", "idle: DATA is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(DATA, END_STREAM, 1, new byte[4]), connection(PROTOCOL_ERROR)),
        c("5.1", "idle: RST_STREAM is a connection PROTOCOL_ERROR (§6.4)",
            (h2, a) -> h2.rst(1, RawH2.CANCEL), connection(PROTOCOL_ERROR)),
        c("5.1", "idle: WINDOW_UPDATE is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(WINDOW_UPDATE, 0, 1, ints(100)), connection(PROTOCOL_ERROR)),
        c("5.1", "idle: CONTINUATION is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(CONTINUATION, END_HEADERS, 1, h2.block(get(a, "/c"))), connection(PROTOCOL_ERROR)),
        c("5.1", "idle: PRIORITY is allowed",
            (h2, a) -> h2.frame(PRIORITY, 0, 3, new byte[] {0, 0, 0, 0, 15}), ignored()),
        c("5.1", "half-closed (remote): DATA is STREAM_CLOSED (stream or connection)",
            (h2, a) -> h2.headers(1, get(a, "/hc"), true).frame(DATA, END_STREAM, 1, new byte[4]),
            stream(1, STREAM_CLOSED)),
        c("5.1", "half-closed (remote): HEADERS is STREAM_CLOSED (stream or connection)",
            (h2, a) -> h2.headers(1, get(a, "/hc"), true).headers(1, get(a, "/hc-again"), true),
            stream(1, STREAM_CLOSED))
            .deviates("RST_STREAM(1, PROTOCOL_ERROR): the second block is judged as malformed trailers before the"
                + " stream state is checked; still a stream error, nothing of the second block is forwarded"),

        // §5.1.1 stream identifiers
        c("5.1.1", "even stream identifier from a client is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.headers(2, get(a, "/even"), true), connection(PROTOCOL_ERROR)),
        c("5.1.1", "stream identifier lower than one already used is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.headers(5, get(a, "/five"), true).headers(3, get(a, "/three"), true),
            connection(PROTOCOL_ERROR))
            .deviates("RST_STREAM(3, STREAM_CLOSED); stream 5 is served and the connection stays open"),
        // §5.1 "closed": a frame on a closed stream is a stream error STREAM_CLOSED, or MAY be a connection
        // error STREAM_CLOSED; h2spec (5.1 closed) accepts either. Netty resets the stream.
        c("5.1", "closed: HEADERS reusing the identifier of a finished stream is STREAM_CLOSED",
            (h2, a) -> {
              h2.headers(1, get(a, "/one"), true).flush();
              h2.readUntil(f -> f.stream() == 1 && (f.flags() & END_STREAM) != 0);
              h2.headers(1, get(a, "/again"), true);
            }, stream(1, STREAM_CLOSED)),

        // §5.3 priority (deprecated in RFC 9113, but a self-dependency is still a stream PROTOCOL_ERROR, §5.3.1)
        c("5.3.1", "PRIORITY depending on its own stream is a stream PROTOCOL_ERROR",
            (h2, a) -> h2.frame(PRIORITY, 0, 1, new byte[] {0, 0, 0, 1, 15}), stream(1, PROTOCOL_ERROR)),
        c("5.3.1", "HEADERS depending on its own stream is a stream PROTOCOL_ERROR",
            (h2, a) -> {
              byte[] block = h2.block(get(a, "/self"));
              byte[] payload = new byte[5 + block.length];
              payload[3] = 1;
              payload[4] = 15;
              System.arraycopy(block, 0, payload, 5, block.length);
              h2.frame(HEADERS, END_HEADERS | END_STREAM | PRIORITY_FLAG, 1, payload);
            }, stream(1, PROTOCOL_ERROR)),

        // §5.4 / §5.5 error handling and extensions
        c("5.5", "unknown extension frame on a stream is ignored",
            (h2, a) -> h2.frame(0x20, 0xff, 1, new byte[3]).headers(1, get(a, "/after-ext"), true), response(1)),
        c("5.5", "unknown frame inside a header block is a connection PROTOCOL_ERROR (§6.10)",
            (h2, a) -> h2.frame(HEADERS, END_STREAM, 1, h2.block(get(a, "/split"))).frame(0x16, 0, 1, new byte[4])
                .frame(CONTINUATION, END_HEADERS, 1, h2.block(new DefaultHttp2Headers(false).add("x", "y"))),
            connection(PROTOCOL_ERROR)),

        // §6.1 DATA
        c("6.1", "DATA on stream 0 is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(DATA, 0, 0, new byte[4]), connection(PROTOCOL_ERROR)),
        c("6.1", "DATA with padding as long as the payload is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.headers(1, post(a, "/p"), false).frame(DATA, PADDED | END_STREAM, 1, new byte[] {4, 0, 0, 0}),
            connection(PROTOCOL_ERROR)),
        c("6.1", "DATA with valid padding is accepted",
            (h2, a) -> h2.headers(1, post(a, "/p"), false).frame(DATA, PADDED | END_STREAM, 1, new byte[] {2, 'h', 'i', 0, 0}),
            response(1)),

        // §6.2 HEADERS
        c("6.2", "HEADERS on stream 0 is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(HEADERS, END_HEADERS | END_STREAM, 0, h2.block(get(a, "/zero"))), connection(PROTOCOL_ERROR)),
        c("6.2", "HEADERS with padding longer than the payload is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(HEADERS, END_HEADERS | END_STREAM | PADDED, 1, padded(h2.block(get(a, "/pad")), 200, 0)),
            connection(PROTOCOL_ERROR)),
        c("6.2", "HEADERS with valid padding is served",
            (h2, a) -> h2.frame(HEADERS, END_HEADERS | END_STREAM | PADDED, 1, padded(h2.block(get(a, "/pad")), 3, 3)),
            response(1)),
        c("6.2", "a frame other than CONTINUATION inside a header block is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(HEADERS, END_STREAM, 1, h2.block(get(a, "/split"))).frame(PRIORITY, 0, 1, new byte[] {0, 0, 0, 0, 15}),
            connection(PROTOCOL_ERROR)),

        // §6.3 PRIORITY
        c("6.3", "PRIORITY on stream 0 is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(PRIORITY, 0, 0, new byte[] {0, 0, 0, 1, 15}), connection(PROTOCOL_ERROR)),
        c("6.3", "PRIORITY of length 4 is a stream FRAME_SIZE_ERROR",
            (h2, a) -> h2.frame(PRIORITY, 0, 1, new byte[] {0, 0, 0, 3}), stream(1, FRAME_SIZE_ERROR)),

        // §6.4 RST_STREAM
        c("6.4", "RST_STREAM on stream 0 is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.rst(0, RawH2.CANCEL), connection(PROTOCOL_ERROR)),
        c("6.4", "RST_STREAM of length 3 is a connection FRAME_SIZE_ERROR",
            (h2, a) -> h2.headers(1, post(a, "/r"), false).frame(RST_STREAM, 0, 1, new byte[3]),
            connection(FRAME_SIZE_ERROR)),

        // §6.5 SETTINGS
        c("6.5", "SETTINGS ACK with a payload is a connection FRAME_SIZE_ERROR",
            (h2, a) -> h2.frame(SETTINGS, ACK, 0, new byte[6]), connection(FRAME_SIZE_ERROR)),
        c("6.5", "SETTINGS on a stream is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(SETTINGS, 0, 1, new byte[0]), connection(PROTOCOL_ERROR)),
        c("6.5", "SETTINGS of length 3 is a connection FRAME_SIZE_ERROR",
            (h2, a) -> h2.frame(SETTINGS, 0, 0, new byte[3]), connection(FRAME_SIZE_ERROR)),
        c("6.5.2", "SETTINGS_ENABLE_PUSH = 2 is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(SETTINGS, 0, 0, settings(0x2, 2)), connection(PROTOCOL_ERROR)),
        c("6.5.2", "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1 is a connection FLOW_CONTROL_ERROR",
            (h2, a) -> h2.frame(SETTINGS, 0, 0, settings(0x4, 1L << 31)), connection(FLOW_CONTROL_ERROR)),
        c("6.5.2", "SETTINGS_MAX_FRAME_SIZE below 16384 is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(SETTINGS, 0, 0, settings(0x5, 16383)), connection(PROTOCOL_ERROR)),
        c("6.5.2", "SETTINGS_MAX_FRAME_SIZE above 2^24-1 is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(SETTINGS, 0, 0, settings(0x5, 1 << 24)), connection(PROTOCOL_ERROR)),
        c("6.5.2", "unknown setting identifier is ignored",
            (h2, a) -> h2.frame(SETTINGS, 0, 0, settings(0xff, 1)), ignored()),
        c("6.9.2", "SETTINGS_INITIAL_WINDOW_SIZE that overflows an open stream's window is FLOW_CONTROL_ERROR",
            (h2, a) -> h2.headers(1, post(a, "/w"), false).frame(WINDOW_UPDATE, 0, 1, ints(0x7fffffff - 65535))
                .frame(SETTINGS, 0, 0, settings(0x4, 65536)),
            connection(FLOW_CONTROL_ERROR))
            .deviates("RST_STREAM(1, FLOW_CONTROL_ERROR); the connection stays open"),

        // §6.7 PING
        c("6.7", "PING is answered with an ACK echoing its payload",
            (h2, a) -> { }, new Expect.PingAck(PING_PAYLOAD)),
        c("6.7", "a PING ACK is not answered",
            (h2, a) -> h2.frame(PING, ACK, 0, "unasked!".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), ignored()),
        c("6.7", "PING on a stream is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(PING, 0, 1, new byte[8]), connection(PROTOCOL_ERROR)),
        c("6.7", "PING of length 6 is a connection FRAME_SIZE_ERROR",
            (h2, a) -> h2.frame(PING, 0, 0, new byte[6]), connection(FRAME_SIZE_ERROR)),

        // §6.8 GOAWAY
        c("6.8", "GOAWAY on a stream is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(GOAWAY, 0, 1, ints(0, 0)), connection(PROTOCOL_ERROR)),

        // §6.9 WINDOW_UPDATE
        c("6.9", "WINDOW_UPDATE of 0 on the connection is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(WINDOW_UPDATE, 0, 0, ints(0)), connection(PROTOCOL_ERROR)),
        c("6.9", "WINDOW_UPDATE of 0 on a stream is a stream PROTOCOL_ERROR",
            (h2, a) -> h2.headers(1, post(a, "/w"), false).frame(WINDOW_UPDATE, 0, 1, ints(0)), stream(1, PROTOCOL_ERROR)),
        c("6.9", "WINDOW_UPDATE of length 3 is a connection FRAME_SIZE_ERROR",
            (h2, a) -> h2.frame(WINDOW_UPDATE, 0, 0, new byte[3]), connection(FRAME_SIZE_ERROR)),
        c("6.9.1", "connection window above 2^31-1 is a connection FLOW_CONTROL_ERROR",
            (h2, a) -> h2.frame(WINDOW_UPDATE, 0, 0, ints(0x7fffffff)), connection(FLOW_CONTROL_ERROR)),
        c("6.9.1", "stream window above 2^31-1 is a stream FLOW_CONTROL_ERROR",
            (h2, a) -> h2.headers(1, post(a, "/w"), false).frame(WINDOW_UPDATE, 0, 1, ints(0x7fffffff)),
            stream(1, FLOW_CONTROL_ERROR)),

        // §6.10 CONTINUATION
        c("6.10", "HEADERS then CONTINUATION is one header block, served",
            (h2, a) -> h2.frame(HEADERS, END_STREAM, 1, h2.block(get(a, "/cont")))
                .frame(CONTINUATION, END_HEADERS, 1, h2.block(new DefaultHttp2Headers(false).add("x-more", "1"))),
            response(1)),
        c("6.10", "CONTINUATION after END_HEADERS is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.headers(1, post(a, "/c"), false)
                .frame(CONTINUATION, END_HEADERS, 1, h2.block(new DefaultHttp2Headers(false).add("x", "y"))),
            connection(PROTOCOL_ERROR)),
        c("6.10", "CONTINUATION on another stream is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(HEADERS, END_STREAM, 1, h2.block(get(a, "/c")))
                .frame(CONTINUATION, END_HEADERS, 3, h2.block(new DefaultHttp2Headers(false).add("x", "y"))),
            connection(PROTOCOL_ERROR)),
        c("6.10", "CONTINUATION on stream 0 is a connection PROTOCOL_ERROR",
            (h2, a) -> h2.frame(HEADERS, END_STREAM, 1, h2.block(get(a, "/c")))
                .frame(CONTINUATION, END_HEADERS, 0, h2.block(new DefaultHttp2Headers(false).add("x", "y"))),
            connection(PROTOCOL_ERROR)),

        // §8.1 HTTP message framing
        c("8.1", "DATA longer than content-length is a stream PROTOCOL_ERROR (§8.1.1)",
            (h2, a) -> h2.headers(1, post(a, "/cl").add("content-length", "1"), false).frame(DATA, END_STREAM, 1, new byte[4]),
            stream(1, PROTOCOL_ERROR)),
        c("8.1", "trailers without END_STREAM are a stream PROTOCOL_ERROR",
            (h2, a) -> h2.headers(1, post(a, "/t"), false).frame(DATA, 0, 1, new byte[2])
                .headers(1, new DefaultHttp2Headers(false).add("x-trailer", "1"), false),
            stream(1, PROTOCOL_ERROR)),
        c("8.1", "trailers with END_STREAM are served",
            (h2, a) -> h2.headers(1, post(a, "/t"), false).frame(DATA, 0, 1, new byte[2])
                .headers(1, new DefaultHttp2Headers(false).add("x-trailer", "1"), true),
            response(1)),

        // §8.2 HTTP fields
        c("8.2", "uppercase field name is a stream PROTOCOL_ERROR",
            (h2, a) -> h2.headers(1, get(a, "/u").add("X-Upper", "1"), true), stream(1, PROTOCOL_ERROR)),
        c("8.2.2", "connection-specific field (connection) is a stream PROTOCOL_ERROR",
            (h2, a) -> h2.headers(1, get(a, "/c").add("connection", "keep-alive"), true), stream(1, PROTOCOL_ERROR)),
        c("8.2.2", "TE other than trailers is a stream PROTOCOL_ERROR",
            (h2, a) -> h2.headers(1, get(a, "/te").add("te", "trailers, deflate"), true), stream(1, PROTOCOL_ERROR)),
        c("8.2.2", "TE: trailers is served",
            (h2, a) -> h2.headers(1, get(a, "/te").add("te", "trailers"), true), response(1)),
        c("8.3", "pseudo-header after a regular field is a stream PROTOCOL_ERROR",
            (h2, a) -> {
              // DefaultHttp2Headers always puts pseudo-headers first, so :path is appended by hand:
              // literal without indexing, name = static index 4 (:path), value "/late" (RFC 7541 §6.2.2).
              byte[] head = h2.block(new DefaultHttp2Headers(false).method("GET").scheme("http").authority(a)
                  .add("x-first", "1"));
              byte[] tail = {0x04, 5, '/', 'l', 'a', 't', 'e'};
              byte[] block = Arrays.copyOf(head, head.length + tail.length);
              System.arraycopy(tail, 0, block, head.length, tail.length);
              h2.frame(HEADERS, END_HEADERS | END_STREAM, 1, block);
            }, stream(1, PROTOCOL_ERROR)),
        c("8.3.1", "missing :method is a stream PROTOCOL_ERROR",
            (h2, a) -> h2.headers(1, without(a, ":method"), true), stream(1, PROTOCOL_ERROR)),
        c("8.3.1", "missing :scheme is a stream PROTOCOL_ERROR",
            (h2, a) -> h2.headers(1, without(a, ":scheme"), true), stream(1, PROTOCOL_ERROR)),
        c("8.3.1", "missing :path is a stream PROTOCOL_ERROR",
            (h2, a) -> h2.headers(1, without(a, ":path"), true), stream(1, PROTOCOL_ERROR)),
        c("8.3.1", "duplicate :path is a stream PROTOCOL_ERROR",
            (h2, a) -> h2.headers(1, get(a, "/one").add(":path", "/two"), true), stream(1, PROTOCOL_ERROR)),
        c("8.3", "response pseudo-header in a request is a stream PROTOCOL_ERROR",
            (h2, a) -> h2.headers(1, get(a, "/s").add(":status", "200"), true), stream(1, PROTOCOL_ERROR)),

        // RFC 7541 HPACK decoding errors: all connection COMPRESSION_ERROR (RFC 9113 §4.3)
        c("7541 §6.1", "indexed field with index 0", hpackTail((byte) 0x80), connection(COMPRESSION_ERROR)),
        c("7541 §2.3.3", "index beyond the static and dynamic tables", hpackTail((byte) 0xff, (byte) 0x7f),
            connection(COMPRESSION_ERROR)),
        c("7541 §4.2", "dynamic table size update above SETTINGS_HEADER_TABLE_SIZE",
            (h2, a) -> {
              // 0x3f 0xe2 0x1f: size update to 31 + 98 + 31*128 = 4097, first in the block
              byte[] head = h2.block(get(a, "/hpack"));
              byte[] block = new byte[3 + head.length];
              block[0] = 0x3f;
              block[1] = (byte) 0xe2;
              block[2] = 0x1f;
              System.arraycopy(head, 0, block, 3, head.length);
              h2.frame(HEADERS, END_HEADERS | END_STREAM, 1, block);
            }, connection(COMPRESSION_ERROR)),
        c("7541 §4.2", "dynamic table size update after a field", hpackTail((byte) 0x20), connection(COMPRESSION_ERROR)),
        c("7541 §5.2", "Huffman string padded with more than 7 bits",
            // literal without indexing, new name "x" (plain), value Huffman, 2 bytes of all-ones padding (EOS prefix)
            hpackTail((byte) 0x00, (byte) 0x01, (byte) 'x', (byte) 0x82, (byte) 0xff, (byte) 0xff),
            connection(COMPRESSION_ERROR)),
        c("7541 §5.1", "integer that overflows", hpackTail((byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, (byte) 0x7f), connection(COMPRESSION_ERROR)));
  }

  /** The three kinds of port, and the :authority a request on each carries. */
  enum Port {
    OUTBOUND_HTTP(s -> s.httpPort(), "hello"),
    UPSTREAM(s -> s.upstreamPort("hello"), "anything.example"),
    INBOUND(s -> s.inboundPort(), "orders.default.svc");

    final ToIntFunction<Sidecar> port;
    final String authority;

    Port(ToIntFunction<Sidecar> port, String authority) {
      this.port = port;
      this.authority = authority;
    }
  }

  @BeforeAll
  static void start() {
    backend = TestBackend.http1((req, n) -> TestBackend.text(HttpResponseStatus.OK, "ok"));
    sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1)
            .withUpstreams(Map.of("hello", 0))
            .withTarget(URI.create("http://127.0.0.1:" + backend.address().getPort())),
        Meshes.snapshot(host("hello", forward(cluster("hello", backend.address())))));
  }

  @AfterAll
  static void stop() {
    sidecar.close();
    backend.close();
  }

  static Stream<Arguments> table() {
    return Stream.of(Port.values()).flatMap(p -> cases().stream().filter(c -> c.deviation() == null)
        .map(c -> Arguments.of(p, c)));
  }

  static Stream<Arguments> deviations() {
    return Stream.of(Port.values()).flatMap(p -> cases().stream().filter(c -> c.deviation() != null)
        .map(c -> Arguments.of(p, c)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("table")
  void answersAsTheRfcRequires(Port port, Case c) throws Exception {
    check(port, c);
  }

  /** The rows where the sidecar (Netty's HTTP/2 codec under it) does not answer as the RFC requires. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("deviations")
  @Disabled(DEVIATIONS)
  void knownDeviations(Port port, Case c) throws Exception {
    check(port, c);
  }

  private static void check(Port port, Case c) throws Exception {
    try (RawH2 h2 = new RawH2(port.port.applyAsInt(sidecar), 0)) {
      c.frames().write(h2, port.authority);
      switch (c.expect()) {
        case Expect.ConnectionError(int code) -> {
          h2.flush();
          List<RawH2.Frame> frames = h2.readUntil(f -> f.type() == GOAWAY);
          RawH2.Frame goAway = frames.stream().filter(f -> f.type() == GOAWAY).findFirst()
              .orElseThrow(() -> new AssertionError("no GOAWAY; got " + describe(frames)));
          assertThat(goAway.errorCode()).as("GOAWAY code; frames %s", describe(frames)).isEqualTo(code);
          assertThat(h2.closedByPeerAfterDraining()).as("connection closed after GOAWAY").isTrue();
        }
        case Expect.StreamError(int stream, int code) -> {
          h2.flush();
          List<RawH2.Frame> frames = h2.readUntil(
              f -> f.type() == GOAWAY || f.type() == RST_STREAM && f.stream() == stream);
          assertThat(frames).as("RST_STREAM on %d or GOAWAY, with code %d; got %s", stream, code, describe(frames))
              .anyMatch(f -> (f.type() == GOAWAY || f.type() == RST_STREAM && f.stream() == stream)
                  && f.errorCode() == code);
          assertThat(frames).as("no response on a refused stream").noneMatch(f -> f.type() == HEADERS && f.stream() == stream);
        }
        case Expect.Response(int stream) -> {
          h2.flush();
          List<RawH2.Frame> frames = h2.readUntil(f -> f.type() == GOAWAY || f.type() == RST_STREAM
              || f.stream() == stream && (f.flags() & END_STREAM) != 0);
          assertThat(frames).as("response HEADERS on %d; got %s", stream, describe(frames))
              .anyMatch(f -> f.type() == HEADERS && f.stream() == stream);
          assertThat(frames).as("ended").anyMatch(f -> f.stream() == stream && (f.flags() & END_STREAM) != 0);
          assertThat(frames).noneMatch(f -> f.type() == GOAWAY || f.type() == RST_STREAM);
        }
        case Expect.Ignored() -> {
          h2.frame(PING, 0, 0, PING_PAYLOAD).flush();
          List<RawH2.Frame> frames = h2.readUntil(f -> f.type() == GOAWAY || isPingAck(f, PING_PAYLOAD));
          assertThat(frames).as("PING still answered; got %s", describe(frames)).anyMatch(f -> isPingAck(f, PING_PAYLOAD));
          assertThat(frames).as("SETTINGS ACK").anyMatch(f -> f.type() == SETTINGS && (f.flags() & ACK) != 0);
          assertThat(frames).as("only acks of our PINGs").filteredOn(f -> f.type() == PING).hasSize(1);
          assertThat(frames).noneMatch(f -> f.type() == GOAWAY || f.type() == RST_STREAM);
        }
        case Expect.PingAck(byte[] payload) -> {
          h2.frame(PING, 0, 0, payload).flush();
          List<RawH2.Frame> frames = h2.readUntil(f -> f.type() == GOAWAY || f.type() == PING);
          assertThat(frames).as("PING ACK echoing the payload; got %s", describe(frames))
              .anyMatch(f -> isPingAck(f, payload));
        }
      }
    }
  }

  private static boolean isPingAck(RawH2.Frame f, byte[] payload) {
    return f.type() == PING && (f.flags() & ACK) != 0 && Arrays.equals(f.payload(), payload);
  }

  private static String describe(List<RawH2.Frame> frames) {
    StringBuilder b = new StringBuilder("[");
    for (RawH2.Frame f : frames) {
      b.append(" type=").append(f.type()).append("/flags=").append(f.flags()).append("/stream=").append(f.stream());
      if (f.type() == GOAWAY || f.type() == RST_STREAM) {
        b.append("/code=").append(f.errorCode());
      }
    }
    return b.append(" ]").toString();
  }
}
