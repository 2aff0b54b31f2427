package io.meshwork.proxy.tls;

import static io.meshwork.proxy.tls.MeshFixture.compile;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.SnapshotRef;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DestinationRule tls modes SIMPLE, MUTUAL and DISABLE to a TLS server outside the mesh, over real sockets. */
class DestinationRuleTlsTest {
  static final String HOST = "secure.example.com";

  @TempDir Path dir;
  final MeshFixture mesh = new MeshFixture();
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  EventLoopGroup group;
  TestCa ca;
  Path caFile;

  @BeforeEach
  void setUp() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ca = new TestCa("external-root");
    caFile = TestCa.writePem(dir.resolve("ca.pem"), ca.root);
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    mesh.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** An HTTPS server for localhost answering "tls <client certificate subject or anonymous>". */
  InetSocketAddress server(boolean requireClientCertificate) throws Exception {
    KeyPair keys = TestCa.ecKey();
    X509Certificate certificate = ca.server(keys.getPublic());
    SslContextBuilder builder = SslContextBuilder.forServer(keys.getPrivate(), certificate);
    if (requireClientCertificate) {
      builder.clientAuth(ClientAuth.REQUIRE).trustManager(ca.root);
    }
    SslContext context = builder.build();
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(context.newHandler(ch.alloc()), new HttpServerCodec(), new HttpObjectAggregator(65536),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
                    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                    String peer = requireClientCertificate
                        ? ((X509Certificate) ssl.engine().getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName()
                        : "anonymous";
                    var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer("tls " + peer, StandardCharsets.UTF_8));
                    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
                    ctx.writeAndFlush(response);
                  }
                });
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    mesh.add(() -> server.close().sync());
    return (InetSocketAddress) server.localAddress();
  }

  Sidecar orders(InetSocketAddress server, String tls) throws Exception {
    String yaml = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: secure, namespace: shop}
        spec:
          hosts: [%s]
          location: MESH_EXTERNAL
          resolution: STATIC
          ports: [{number: 80, name: http, protocol: HTTP}]
          endpoints: [{address: 127.0.0.1, ports: {http: %d}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: secure, namespace: shop}
        spec:
          host: %s
          trafficPolicy:
            tls: %s
        """.formatted(HOST, server.getPort(), HOST, tls);
    return mesh.sidecar("orders", null, Map.of(HOST, 0), new SnapshotRef(compile(yaml, new LocalService("orders", "shop"))),
        ca.fixedIdentity(TestCa.workload("shop", "orders")));
  }

  HttpResponse<String> get(Sidecar sidecar) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.upstreamPort(HOST) + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void simpleVerifiesTheServerAgainstCaCertificatesAndSni() throws Exception {
    InetSocketAddress server = server(false);
    HttpResponse<String> ok = get(orders(server, "{mode: SIMPLE, sni: localhost, caCertificates: %s}".formatted(caFile)));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("tls anonymous");

    HttpResponse<String> wrongName = get(orders(server, "{mode: SIMPLE, sni: other.example, caCertificates: %s}"
        .formatted(caFile)));
    assertThat(wrongName.statusCode()).isBetween(502, 503);
  }

  @Test
  void simpleWithoutCaCertificatesUsesTheSystemRootsAndRefusesATestRoot() throws Exception {
    assertThat(get(orders(server(false), "{mode: SIMPLE, sni: localhost}")).statusCode()).isBetween(502, 503);
  }

  @Test
  void mutualPresentsTheClientCertificateFromFiles() throws Exception {
    KeyPair keys = TestCa.ecKey();
    X509Certificate clientCertificate = ca.server(keys.getPublic());
    Path cert = TestCa.writePem(dir.resolve("client.pem"), clientCertificate);
    Path key = TestCa.writeKey(dir.resolve("client-key.pem"), keys.getPrivate());
    HttpResponse<String> ok = get(orders(server(true), "{mode: MUTUAL, sni: localhost, caCertificates: %s, clientCertificate: %s, privateKey: %s}"
        .formatted(caFile, cert, key)));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("tls O=Meshwork");
  }

  @Test
  void disableSpeaksPlaintextToTheTlsServer() throws Exception {
    assertThat(get(orders(server(false), "{mode: DISABLE}")).statusCode()).isNotEqualTo(200);
  }
}
