package io.meshwork.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.identity.SpiffeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Mutual TLS between two SVID holders over real sockets on 127.0.0.1. */
class MtlsHandshakeTest {
  static final SpiffeId ORDERS = SpiffeId.forWorkload("cluster.local", "shop", "orders");
  static final SpiffeId PRODUCTS = SpiffeId.forWorkload("cluster.local", "shop", "products");

  final Instant now = Instant.now();
  EventLoopGroup group;
  TestPki.Issuer root;
  SvidValidator validator;
  Channel server;
  final CompletableFuture<SSLSession> serverSession = new CompletableFuture<>();

  @BeforeEach
  void setUp() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    root = TestPki.root("root", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
    validator = new SvidValidator(new TrustAnchors(List.of(root.certificate())), "cluster.local", Clock.systemUTC());
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close().sync();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void peersLearnEachOthersSpiffeIdAndNegotiateH2() throws Exception {
    startServer(svid(root, PRODUCTS));
    SslHandler client = connect(svid(root, ORDERS), id -> id.equals(PRODUCTS));

    assertThat(await(client.handshakeFuture()).isSuccess()).isTrue();
    assertThat(validator.peerOf(client.engine().getSession())).contains(PRODUCTS);
    assertThat(client.applicationProtocol()).isEqualTo("h2");
    assertThat(validator.peerOf(serverSession.get(5, TimeUnit.SECONDS))).contains(ORDERS);
  }

  @Test
  void theServerRefusesAClientFromAnotherRoot() throws Exception {
    startServer(svid(root, PRODUCTS));
    TestPki.Issuer stranger = TestPki.root("stranger", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
    SslHandler client = connect(svid(stranger, ORDERS), id -> true);

    await(client.handshakeFuture());
    assertThat(serverSession).failsWithin(Duration.ofSeconds(5));
  }

  @Test
  void theClientRefusesAServerWithAnUnexpectedIdentity() throws Exception {
    startServer(svid(root, SpiffeId.forWorkload("cluster.local", "shop", "impostor")));
    SslHandler client = connect(svid(root, ORDERS), id -> id.equals(PRODUCTS));

    Future<Channel> handshake = await(client.handshakeFuture());
    assertThat(handshake.isSuccess()).isFalse();
    assertThat(handshake.cause()).hasStackTraceContaining("is not accepted here");
  }

  private record Svid(KeyPair keys, X509Certificate certificate) {}

  private Svid svid(TestPki.Issuer issuer, SpiffeId id) throws Exception {
    WorkloadCsr csr = CsrFactory.create(id);
    return new Svid(csr.keyPair(), TestPki.leaf(issuer, csr.keyPair().getPublic(),
        TestPki.Leaf.svid(id.toString(), now.minusSeconds(60), now.plus(Duration.ofHours(1)))));
  }

  private void startServer(Svid svid) throws Exception {
    SslContext context = MtlsContexts.server(svid.keys().getPrivate(), List.of(svid.certificate()),
        SvidTrustManager.anyPeer(validator), "h2", "http/1.1");
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            SslHandler ssl = context.newHandler(ch.alloc());
            ssl.handshakeFuture().addListener(f -> {
              if (f.isSuccess()) {
                serverSession.complete(ssl.engine().getSession());
              } else {
                serverSession.completeExceptionally(f.cause());
              }
            });
            ch.pipeline().addLast(ssl, new HandshakeFailureSink());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  private SslHandler connect(Svid svid, java.util.function.Predicate<SpiffeId> accepted) throws Exception {
    SslContext context = MtlsContexts.client(svid.keys().getPrivate(), List.of(svid.certificate()),
        new SvidTrustManager(validator, accepted), "h2", "http/1.1");
    // Kept from the initializer: a handshake that fails fast closes the channel, and a closed
    // pipeline no longer holds the handler to look up.
    CompletableFuture<SslHandler> handler = new CompletableFuture<>();
    new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            SslHandler ssl = context.newHandler(ch.alloc());
            handler.complete(ssl);
            ch.pipeline().addLast(ssl, new HandshakeFailureSink());
          }
        })
        .connect(server.localAddress()).sync();
    return handler.get(5, TimeUnit.SECONDS);
  }

  /** Handshake failures are asserted through the handshake futures; this keeps them out of the log. */
  private static final class HandshakeFailureSink extends io.netty.channel.ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static <T> Future<T> await(Future<T> future) throws InterruptedException {
    assertThat(future.await(5, TimeUnit.SECONDS)).as("handshake finished in time").isTrue();
    return future;
  }
}
