package io.meshwork.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.identity.SpiffeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The inbound port's mode detection on EmbeddedChannel, and the peer identity over a real handshake. */
class InboundTlsTest {
  static final SpiffeId ORDERS = TestCa.workload("shop", "orders");
  static final SpiffeId PRODUCTS = TestCa.workload("shop", "products");

  TestCa ca;
  EventLoopGroup group;

  @BeforeEach
  void setUp() throws Exception {
    ca = new TestCa("root");
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  InboundTls inbound(PeerMode mode) throws Exception {
    return new InboundTls(() -> new MtlsPolicy(mode, Map.of()), MeshTls.of(ca.fixedIdentity(PRODUCTS)), -1);
  }

  static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  @Test
  void strictClosesPlaintextAndCountsIt() throws Exception {
    InboundTls tls = inbound(PeerMode.STRICT);
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(tls.newHandler(ch));
    ch.writeInbound(ascii("GET / HTTP/1.1\r\n"));
    assertThat(ch.isOpen()).isFalse();
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(tls.refusedPlaintext()).isEqualTo(1);
  }

  @Test
  void permissivePassesPlaintextOnUntouched() throws Exception {
    InboundTls tls = inbound(PeerMode.PERMISSIVE);
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(tls.newHandler(ch));
    ch.writeInbound(ascii("GE"));
    assertThat((Object) ch.readInbound()).as("waits for a full record header").isNull();
    ch.writeInbound(ascii("T / HTTP/1.1\r\n"));
    ByteBuf passed = ch.readInbound();
    assertThat(passed.toString(StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/1.1\r\n");
    passed.release();
    assertThat(ch.pipeline().get(PeerModeHandler.class)).isNull();
    assertThat(ch.pipeline().get(SslHandler.class)).isNull();
  }

  @Test
  void aPeerThatSendsTooLittleIsClosedAfterTheDetectionTimeout() throws Exception {
    InboundTls tls = inbound(PeerMode.PERMISSIVE);
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast(tls.newHandler(ch));
    ch.writeInbound(ascii("GE"));
    ch.advanceTimeBy(PeerModeHandler.DETECTION_TIMEOUT_MILLIS - 1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isTrue();
    ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void disableNeverLooksAtTheBytes() throws Exception {
    InboundTls tls = inbound(PeerMode.DISABLE);
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(tls.newHandler(ch));
    assertThat(ch.pipeline().get(PeerModeHandler.class)).isNull();
  }

  /** The first bytes of a TLS 1.2+ ClientHello record (RFC 8446 §5.1: handshake, legacy version 3.1). */
  static ByteBuf clientHelloHeader() {
    return Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c, 0x03, 0x03});
  }

  /** An identity whose CA refuses: no certificate, retries scheduled but never run here. */
  WorkloadIdentity refused() {
    ca.failing = true;
    return WorkloadIdentity.renewing(ca, () -> PRODUCTS, java.time.Duration.ofHours(1), java.time.Clock.systemUTC(),
        (task, delay) -> { }, () -> { }, () -> 0.5);
  }

  @Test
  void withoutACertificateStrictRefusesPlaintextAndTls() {
    InboundTls tls = new InboundTls(() -> new MtlsPolicy(PeerMode.STRICT, Map.of()), MeshTls.of(refused()), -1);
    EmbeddedChannel plain = new EmbeddedChannel();
    plain.pipeline().addLast(tls.newHandler(plain));
    plain.writeInbound(ascii("GET / HTTP/1.1\r\n"));
    assertThat(plain.isOpen()).isFalse();
    assertThat((Object) plain.readInbound()).isNull();

    EmbeddedChannel hello = new EmbeddedChannel();
    hello.pipeline().addLast(tls.newHandler(hello));
    hello.writeInbound(clientHelloHeader());
    assertThat(hello.isOpen()).isFalse();
    assertThat(hello.pipeline().get(SslHandler.class)).isNull();
    assertThat(tls.refusedPlaintext()).isEqualTo(1);
    assertThat(tls.refusedWithoutIdentity()).isEqualTo(1);
  }

  @Test
  void withoutACertificatePermissiveTakesPlaintextOnly() {
    InboundTls tls = new InboundTls(() -> new MtlsPolicy(PeerMode.PERMISSIVE, Map.of()), MeshTls.of(refused()), -1);
    EmbeddedChannel plain = new EmbeddedChannel();
    plain.pipeline().addLast(tls.newHandler(plain));
    plain.writeInbound(ascii("GET / HTTP/1.1\r\n"));
    ByteBuf passed = plain.readInbound();
    assertThat(passed.toString(StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/1.1\r\n");
    passed.release();

    EmbeddedChannel hello = new EmbeddedChannel();
    hello.pipeline().addLast(tls.newHandler(hello));
    hello.writeInbound(clientHelloHeader());
    assertThat(hello.isOpen()).isFalse();
    assertThat(tls.refusedWithoutIdentity()).isEqualTo(1);
  }

  @Test
  void aSidecarThatShouldHaveNoIdentityStillRefusesPlaintextUnderStrict() {
    InboundTls tls = new InboundTls(() -> new MtlsPolicy(PeerMode.STRICT, Map.of()), null, -1);
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(tls.newHandler(ch));
    ch.writeInbound(ascii("GET / HTTP/1.1\r\n"));
    assertThat(ch.isOpen()).isFalse();
    assertThat(tls.refusedPlaintext()).isEqualTo(1);

    for (PeerMode plaintext : new PeerMode[] {PeerMode.PERMISSIVE, PeerMode.DISABLE}) {
      InboundTls open = new InboundTls(() -> new MtlsPolicy(plaintext, Map.of()), null, -1);
      EmbeddedChannel plain = new EmbeddedChannel();
      plain.pipeline().addLast(open.newHandler(plain));
      assertThat(plain.pipeline().get(PeerModeHandler.class)).as(plaintext + " is plaintext, undetected").isNull();
    }
  }

  @Test
  void handshakeRecordsThePeerSpiffeIdAndNegotiatesH2() throws Exception {
    InboundTls tls = inbound(PeerMode.STRICT);
    CompletableFuture<String> seen = new CompletableFuture<>();
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(tls.newHandler(ch), new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ((ByteBuf) msg).release();
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                seen.complete(PeerIdentity.of(ctx.channel()).map(SpiffeId::toString).orElse("none") + " "
                    + ssl.applicationProtocol());
              }
            });
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    MeshTls orders = MeshTls.of(ca.fixedIdentity(ORDERS));
    CompletableFuture<SpiffeId> serverSeenByClient = new CompletableFuture<>();
    Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(orders.client(Set.of(PRODUCTS), true).newHandler(ch.alloc()),
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                      serverSeenByClient.complete(orders.validator()
                          .peerOf(ctx.pipeline().get(SslHandler.class).engine().getSession()).orElseThrow());
                      ctx.writeAndFlush(ascii("hello"));
                    }
                  }
                });
          }
        }).connect(server.localAddress()).sync().channel();
    try {
      assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo(ORDERS + " h2");
      assertThat(serverSeenByClient.get(5, TimeUnit.SECONDS)).isEqualTo(PRODUCTS);
    } finally {
      client.close().sync();
      server.close().sync();
    }
  }

  @Test
  void clientRefusesAServerWhoseIdentityIsNotTheExpectedOne() throws Exception {
    InboundTls tls = inbound(PeerMode.STRICT);
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(tls.newHandler(ch));
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    MeshTls orders = MeshTls.of(ca.fixedIdentity(ORDERS));
    CompletableFuture<Boolean> handshake = new CompletableFuture<>();
    Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            SslHandler ssl = orders.client(Set.of(TestCa.workload("shop", "reviews")), true).newHandler(ch.alloc());
            ssl.handshakeFuture().addListener(f -> handshake.complete(f.isSuccess()));
            ch.pipeline().addLast(ssl, new ChannelInboundHandlerAdapter() {
              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
              }
            });
          }
        }).connect(server.localAddress()).sync().channel();
    try {
      assertThat(handshake.get(5, TimeUnit.SECONDS)).isFalse();
    } finally {
      client.close().sync();
      server.close().sync();
    }
  }
}
