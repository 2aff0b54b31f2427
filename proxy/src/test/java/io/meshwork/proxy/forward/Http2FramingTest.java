package io.meshwork.proxy.forward;

import static io.meshwork.proxy.fixtures.Meshes.cluster;
import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.fixtures.H2Client;
import io.meshwork.proxy.fixtures.SocketApp;
import io.meshwork.proxy.fixtures.TestBackend;
import io.meshwork.proxy.route.Route;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Message framing and flow control across the protocols the sidecar joins: END_STREAM on HEADERS
 * survives both ways (a gRPC trailers-only answer, a bodyless GET), and large streams finish with
 * the RFC 9113 default 65,535-byte windows on every hop.
 */
@Timeout(60)
class Http2FramingTest {
  static final int TEN_MIB = 10 * 1024 * 1024;
  /** What the frame-level backend saw of each request: its path and whether HEADERS ended the stream. */
  static final LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
  static TestBackend frames;
  static TestBackend h1;
  static RawHttp1App raw;
  static Sidecar sidecar;
  static H2Client client;

  @BeforeAll
  static void start() throws Exception {
    frames = new TestBackend(ch -> ch.pipeline().addLast(
        Http2FrameCodecBuilder.forServer().build(),
        new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel child) {
            child.pipeline().addLast(new FrameBackend());
          }
        })));
    h1 = TestBackend.bulk();
    raw = new RawHttp1App();
    Map<String, List<Route>> hosts = new HashMap<>();
    hosts.putAll(host("frames", forward(cluster("frames", UpstreamProtocol.HTTP2, frames.address()))));
    hosts.putAll(host("bulk", forward(cluster("bulk", h1.address()))));
    hosts.putAll(host("raw", forward(cluster("raw", raw.address()))));
    sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1), io.meshwork.proxy.fixtures.Meshes.snapshot(hosts));
    client = new H2Client(new InetSocketAddress("127.0.0.1", sidecar.httpPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    sidecar.close();
    frames.close();
    h1.close();
    raw.close();
  }

  private static HttpRequest head(HttpMethod method, String authority, String path) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, path);
    r.headers().set("host", authority);
    return r;
  }

  @Test
  void trailersOnlyResponseKeepsEndStreamOnHeaders() throws Exception {
    H2Client.Stream s = client.open();
    HttpRequest call = head(HttpMethod.POST, "frames", "/grpc.testing.TestService/UnimplementedCall");
    call.headers().set("content-type", "application/grpc").set("te", "trailers");
    s.send(call);
    s.send(new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[5])));
    Object response = s.next();
    // The stream codec turns HEADERS with END_STREAM, and only that, into a whole response.
    assertThat(response).isInstanceOf(FullHttpResponse.class);
    FullHttpResponse full = (FullHttpResponse) response;
    assertThat(full.headers().get("grpc-status")).isEqualTo("12");
    assertThat(full.headers().get("grpc-message")).isEqualTo("not here");
    full.release();
    assertThat(s.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void bodylessRequestsReachAnHttp2UpstreamWithEndStreamOnHeaders() throws Exception {
    seen.clear();
    H2Client.Stream s = client.open();
    s.send(new io.netty.handler.codec.http.DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/h2-get",
        Unpooled.EMPTY_BUFFER, new io.netty.handler.codec.http.DefaultHttpHeaders().set("host", "frames"),
        io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE));
    drain(s);
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("/h2-get end-stream");

    HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    var r = http1.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/h1-delete"))
        .header("dapr-app-id", "frames").DELETE().build(), BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("/h1-delete end-stream");
  }

  @Test
  void bodylessRequestFromHttp2ReachesAnHttp1UpstreamWithoutFraming() throws Exception {
    H2Client.Stream s = client.open();
    s.send(new io.netty.handler.codec.http.DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/plain",
        Unpooled.EMPTY_BUFFER, new io.netty.handler.codec.http.DefaultHttpHeaders().set("host", "raw"),
        io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE));
    drain(s);
    String request = raw.requests.poll(5, TimeUnit.SECONDS);
    assertThat(request).startsWith("GET /plain HTTP/1.1\r\n").endsWith("\r\n\r\n");
    assertThat(request.toLowerCase()).doesNotContain("transfer-encoding").doesNotContain("content-length");
  }

  @Test
  void tenMebibytesDownloadWithDefaultWindowsFromAnHttp2Upstream() throws Exception {
    H2Client.Stream s = client.open();
    s.send(new io.netty.handler.codec.http.DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
        "/download?n=" + TEN_MIB, Unpooled.EMPTY_BUFFER,
        new io.netty.handler.codec.http.DefaultHttpHeaders().set("host", "frames"),
        io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE));
    assertThat(drain(s)).isEqualTo(TEN_MIB);
  }

  @Test
  void tenMebibytesDownloadWithDefaultWindowsFromAnHttp1Upstream() throws Exception {
    H2Client.Stream s = client.open();
    s.send(new io.netty.handler.codec.http.DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
        "/download?n=" + TEN_MIB, Unpooled.EMPTY_BUFFER,
        new io.netty.handler.codec.http.DefaultHttpHeaders().set("host", "bulk"),
        io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE));
    assertThat(drain(s)).isEqualTo(TEN_MIB);
  }

  @Test
  void tenMebibytesUploadWithDefaultWindowsToAnHttp2Upstream() throws Exception {
    H2Client.Stream s = client.open();
    assertThat(s.channel.writeAndFlush(head(HttpMethod.POST, "frames", "/upload")).await(10, TimeUnit.SECONDS)).isTrue();
    byte[] chunk = new byte[64 * 1024];
    for (int sent = 0; sent < TEN_MIB; sent += chunk.length) {
      HttpContent part = sent + chunk.length >= TEN_MIB
          ? new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.wrappedBuffer(chunk))
          : new DefaultHttpContent(Unpooled.wrappedBuffer(chunk));
      // The client's stream window bounds what is in flight: each write waits for the window.
      assertThat(s.channel.writeAndFlush(part).await(30, TimeUnit.SECONDS))
          .as("the upload stalled after %d bytes", sent).isTrue();
    }
    Object head = s.next();
    assertThat(head).isInstanceOf(HttpResponse.class);
    StringBuilder body = new StringBuilder();
    Object o;
    do {
      o = s.next();
      body.append(((HttpContent) o).content().toString(StandardCharsets.US_ASCII));
      ReferenceCountUtil.release(o);
    } while (!(o instanceof LastHttpContent));
    assertThat(body.toString()).isEqualTo("received " + TEN_MIB);
  }

  @Test
  void chunkedTrailersBecomeHttp2TrailersAndBack() throws Exception {
    seen.clear();
    try (Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("POST /trailers HTTP/1.1\r\nhost: frames\r\nte: trailers\r\n"
          + "transfer-encoding: chunked\r\ntrailer: x-checksum\r\n\r\n"
          + "5\r\nhello\r\n0\r\nx-checksum: c0ffee\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      int b;
      while (!response.toString(StandardCharsets.ISO_8859_1).endsWith("x-result: done\r\n\r\n") && (b = s.getInputStream().read()) >= 0) {
        response.write(b);
      }
      String text = response.toString(StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
      assertThat(text).startsWith("http/1.1 200").contains("transfer-encoding: chunked")
          .contains("\r\n2\r\nok\r\n0\r\nx-result: done\r\n\r\n");
    }
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("/trailers data-follows");
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("trailers x-checksum=c0ffee");
  }

  /** Reads a response to its end; returns the body bytes. */
  private static long drain(H2Client.Stream s) throws InterruptedException {
    long bytes = 0;
    while (true) {
      Object o = s.received.poll(30, TimeUnit.SECONDS);
      assertThat(o).as("the response stalled after %d body bytes", bytes).isNotNull();
      if (o instanceof HttpContent c) {
        bytes += c.content().readableBytes();
      }
      boolean last = o instanceof LastHttpContent;
      ReferenceCountUtil.release(o);
      if (last) {
        return bytes;
      }
    }
  }

  /**
   * An HTTP/2 application at the frame level: answers gRPC calls trailers-only, records whether a
   * request's HEADERS carried END_STREAM, streams downloads as its window allows, counts uploads.
   */
  static final class FrameBackend extends ChannelInboundHandlerAdapter {
    private String path;
    private long uploaded;
    private long toSend;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame trailers && path != null) {
          seen.add("trailers x-checksum=" + trailers.headers().get("x-checksum"));
          Http2Headers answer = new DefaultHttp2Headers().status("200");
          ctx.write(new DefaultHttp2HeadersFrame(answer));
          ctx.write(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII)));
          ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("x-result", "done"), true));
        } else if (msg instanceof Http2HeadersFrame headers) {
          path = String.valueOf(headers.headers().path());
          seen.add(path.replaceFirst("\\?.*", "") + (headers.isEndStream() ? " end-stream" : " data-follows"));
          if (path.startsWith("/grpc.testing")) {
            Http2Headers answer = new DefaultHttp2Headers().status("200").set("content-type", "application/grpc")
                .set("grpc-status", "12").set("grpc-message", "not here");
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(answer, true));
          } else if (path.startsWith("/download?n=")) {
            toSend = Long.parseLong(path.substring("/download?n=".length()));
            ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
            pump(ctx);
          } else if (headers.isEndStream()) {
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), true));
          }
        } else if (msg instanceof Http2DataFrame data) {
          uploaded += data.content().readableBytes();
          if (data.isEndStream() && !"/trailers".equals(path)) {
            ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
            ByteBuf body = Unpooled.copiedBuffer("received " + uploaded, StandardCharsets.US_ASCII);
            ctx.writeAndFlush(new DefaultHttp2DataFrame(body, true));
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void pump(ChannelHandlerContext ctx) {
      while (toSend > 0 && ctx.channel().isWritable()) {
        int n = (int) Math.min(16 * 1024, toSend);
        toSend -= n;
        ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[n]), toSend == 0));
      }
      ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && toSend > 0) {
        pump(ctx);
      }
    }
  }

  /** An HTTP/1.1 application that records each request's exact bytes up to the end of its head. */
  static final class RawHttp1App implements AutoCloseable {
    final LinkedBlockingQueue<String> requests = new LinkedBlockingQueue<>();
    private final SocketApp app = new SocketApp(this::serve);

    RawHttp1App() throws Exception {}

    InetSocketAddress address() {
      return app.address();
    }

    private void serve(Socket s) {
      try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        String head;
        while ((head = SocketApp.readHead(in)) != null) {
          requests.add(head);
          out.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        }
      } catch (java.io.IOException ignored) {
        // the client went away
      }
    }

    @Override
    public void close() throws Exception {
      app.close();
    }
  }
}
