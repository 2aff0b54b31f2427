package io.meshwork.proxy.forward;

import static io.meshwork.proxy.fixtures.Meshes.cluster;
import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.fixtures.H2Client;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.meshwork.proxy.route.Route;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTP/2 downstream (prior knowledge and h2c upgrade), HTTP/2 upstream and gRPC-shaped streaming with trailers. */
@Timeout(30)
class Http2AndGrpcTest {
  static TestBackend h1;
  static TestBackend h2echo;
  static Sidecar sidecar;
  static H2Client h2;

  @BeforeAll
  static void start() throws Exception {
    h1 = TestBackend.http1((req, n) -> TestBackend.text(HttpResponseStatus.OK, "h1 says " + req.uri()));
    h2echo = TestBackend.http2Echo();
    Map<String, List<Route>> hosts = new HashMap<>();
    hosts.putAll(host("plain", forward(cluster("plain", h1.address()))));
    hosts.putAll(host("greeter", forward(cluster("greeter", UpstreamProtocol.HTTP2, h2echo.address()))));
    hosts.putAll(host("mirror", forward(cluster("mirror", UpstreamProtocol.USE_DOWNSTREAM, h2echo.address()))));
    hosts.putAll(host("gone", forward(cluster("gone", UpstreamProtocol.HTTP2, Meshes.deadAddress()))));
    sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1), Meshes.snapshot(hosts));
    h2 = new H2Client(new InetSocketAddress("127.0.0.1", sidecar.httpPort()));
  }

  @AfterAll
  static void stop() {
    h2.close();
    sidecar.close();
    h1.close();
    h2echo.close();
  }

  private static HttpRequest head(HttpMethod method, String authority, String path) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, path);
    r.headers().set("host", authority);
    return r;
  }

  @Test
  void priorKnowledgeHttp2ToHttp1Upstream() throws Exception {
    H2Client.Stream s = h2.open();
    HttpRequest get = head(HttpMethod.GET, "plain", "/hello");
    s.send(get);
    s.send(LastHttpContent.EMPTY_LAST_CONTENT);
    HttpResponse response = (HttpResponse) s.next();
    assertThat(response.status().code()).isEqualTo(200);
    StringBuilder body = new StringBuilder();
    if (response instanceof FullHttpResponse full) {
      body.append(full.content().toString(StandardCharsets.UTF_8));
    } else {
      Object o;
      do {
        o = s.next();
        body.append(((HttpContent) o).content().toString(StandardCharsets.UTF_8));
      } while (!(o instanceof LastHttpContent));
    }
    assertThat(body.toString()).isEqualTo("h1 says /hello");
    HttpRequest seen = h1.received.take();
    assertThat(seen.headers().get("host")).isEqualTo("plain");
    assertThat(seen.headers().names()).noneMatch(n -> n.startsWith("x-http2"));
  }

  @Test
  void http1CallerToHttp2Upstream() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    var r = client.send(java.net.http.HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/echo?x=1")).header("dapr-app-id", "greeter")
        .header("content-type", "text/plain")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("over h2")).build(), BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("over h2");
    assertThat(r.headers().firstValue("x-echo-uri")).hasValue("/echo?x=1");
    assertThat(r.headers().firstValue("x-echo-host")).hasValue("greeter");
    assertThat(r.headers().map().keySet()).noneMatch(n -> n.startsWith("x-http2"));
  }

  @Test
  void h2cUpgradeFromTheJdkClient() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    var r = client.send(java.net.http.HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/up")).header("dapr-app-id", "plain").build(),
        BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.body()).isEqualTo("h1 says /up");
    // The connection stays HTTP/2 for the next request.
    var again = client.send(java.net.http.HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/again")).header("dapr-app-id", "plain").build(),
        BodyHandlers.ofString());
    assertThat(again.body()).isEqualTo("h1 says /again");
    assertThat(again.version()).isEqualTo(HttpClient.Version.HTTP_2);
  }

  @Test
  void grpcBidiStreamingPassesMessagesAndTrailers() throws Exception {
    for (String service : List.of("greeter", "mirror")) {
      H2Client.Stream s = h2.open();
      HttpRequest call = head(HttpMethod.POST, service, "/helloworld.Greeter/Chat");
      call.headers().set("content-type", "application/grpc").set("te", "trailers");
      s.send(call);
      s.send(new DefaultHttpContent(grpcMessage("first")));
      HttpResponse response = (HttpResponse) s.next();
      assertThat(response.status().code()).isEqualTo(200);
      assertThat(response.headers().get("content-type")).isEqualTo("application/grpc");
      // The first message comes back before the client half-closes: the body streams both ways.
      assertThat(readMessage((HttpContent) s.next())).isEqualTo("first");
      s.send(new DefaultLastHttpContent(grpcMessage("second")));
      StringBuilder rest = new StringBuilder();
      Object o;
      do {
        o = s.next();
        ByteBuf c = ((HttpContent) o).content();
        if (c.isReadable()) {
          rest.append(readMessage((HttpContent) o));
        }
      } while (!(o instanceof LastHttpContent));
      assertThat(rest.toString()).isEqualTo("second");
      LastHttpContent trailers = (LastHttpContent) o;
      assertThat(trailers.trailingHeaders().get("grpc-status")).isEqualTo("0");
      assertThat(trailers.trailingHeaders().get("grpc-message")).isEqualTo("ok");
    }
  }

  @Test
  void upstreamBreakingMidResponseResetsTheHttp2Stream() throws Exception {
    try (java.net.ServerSocket breaking = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Thread server = Thread.ofVirtual().start(() -> {
        try (java.net.Socket s = breaking.accept()) {
          var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
          String line;
          while ((line = in.readLine()) != null && !line.isEmpty()) {
            // request head consumed
          }
          s.getOutputStream().write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial".getBytes(StandardCharsets.ISO_8859_1));
          s.getOutputStream().flush();
        } catch (java.io.IOException ignored) {
          // the test asserts on the proxy's side
        }
      });
      SidecarSettings settings = SidecarSettings.defaults("orders").withIoThreads(1);
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", breaking.getLocalPort());
      var snapshot = Meshes.snapshot(host("breaking", forward(cluster("breaking", address))));
      try (Sidecar local = Sidecar.start(settings, snapshot);
          H2Client client = new H2Client(new InetSocketAddress("127.0.0.1", local.httpPort()))) {
        H2Client.Stream s = client.open();
        s.send(head(HttpMethod.GET, "breaking", "/partial"));
        s.send(LastHttpContent.EMPTY_LAST_CONTENT);
        HttpResponse response = (HttpResponse) s.next();
        assertThat(response.status().code()).isEqualTo(200);
        Object o;
        do {
          o = s.next();
          io.netty.util.ReferenceCountUtil.release(o);
        } while (!(o instanceof io.netty.handler.codec.http2.Http2ResetFrame));
        assertThat(((io.netty.handler.codec.http2.Http2ResetFrame) o).errorCode())
            .isEqualTo(io.netty.handler.codec.http2.Http2Error.INTERNAL_ERROR.code());
      }
      server.join();
    }
  }

  @Test
  void unreachableGrpcUpstreamAnswersUnavailable() throws Exception {
    H2Client.Stream s = h2.open();
    HttpRequest call = head(HttpMethod.POST, "gone", "/helloworld.Greeter/SayHello");
    call.headers().set("content-type", "application/grpc");
    s.send(call);
    s.send(new DefaultLastHttpContent(grpcMessage("hi")));
    HttpResponse response = (HttpResponse) s.next();
    assertThat(response.status().code()).isEqualTo(200);
    assertThat(response.headers().get("grpc-status")).isEqualTo("14");
    assertThat(response.headers().get("grpc-message")).startsWith("upstream connect error");
  }

  private static ByteBuf grpcMessage(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return Unpooled.buffer().writeByte(0).writeInt(bytes.length).writeBytes(bytes);
  }

  private static String readMessage(HttpContent content) {
    ByteBuf b = content.content();
    assertThat(b.readByte()).isZero();
    int length = b.readInt();
    String s = b.readCharSequence(length, StandardCharsets.UTF_8).toString();
    content.release();
    return s;
  }
}
