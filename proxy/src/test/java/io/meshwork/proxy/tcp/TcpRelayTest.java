package io.meshwork.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The splice on EmbeddedChannels: both run on the test thread, which serves as their shared loop. */
class TcpRelayTest {
  private EmbeddedChannel downstream;
  private EmbeddedChannel upstream;

  @BeforeEach
  void splice() {
    downstream = new EmbeddedChannel();
    upstream = new EmbeddedChannel();
    downstream.freezeTime();
    downstream.config().setAutoRead(false);
    upstream.config().setAutoRead(false);
    TcpRelay.splice(downstream, upstream, Duration.ofHours(1));
  }

  @AfterEach
  void close() {
    downstream.finishAndReleaseAll();
    upstream.finishAndReleaseAll();
  }

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  private static String drain(EmbeddedChannel ch) {
    StringBuilder out = new StringBuilder();
    for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
      out.append(b.toString(StandardCharsets.UTF_8));
      b.release();
    }
    return out.toString();
  }

  @Test
  void bytesFlowBothWaysAndReadingStarts() {
    assertThat(downstream.config().isAutoRead()).isTrue();
    assertThat(upstream.config().isAutoRead()).isTrue();
    downstream.writeInbound(text("GET / HTTP/1.1\r\n"));
    upstream.writeInbound(text("HTTP/1.1 200 OK\r\n"));
    assertThat(drain(upstream)).isEqualTo("GET / HTTP/1.1\r\n");
    assertThat(drain(downstream)).isEqualTo("HTTP/1.1 200 OK\r\n");
  }

  @Test
  void readingPausesWhileThePeerIsNotWritableAndResumesWhenItDrains() {
    upstream.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
    // A read without its read-complete leaves the bytes written but not yet flushed.
    downstream.pipeline().fireChannelRead(text("more than sixteen bytes"));
    assertThat(upstream.isWritable()).isFalse();
    assertThat(downstream.config().isAutoRead()).isFalse();
    upstream.flush();
    assertThat(upstream.isWritable()).isTrue();
    assertThat(downstream.config().isAutoRead()).isTrue();
    assertThat(drain(upstream)).isEqualTo("more than sixteen bytes");
  }

  @Test
  void finFromOneSideClosesBothWhenThePeerCannotHalfClose() {
    downstream.pipeline().fireChannelRead(text("last words"));
    downstream.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    // What was read before the FIN is delivered before the close.
    assertThat(drain(upstream)).isEqualTo("last words");
    assertThat(upstream.isOpen()).isFalse();
    assertThat(downstream.isOpen()).isFalse();
  }

  @Test
  void closingOneSideDeliversWhatIsQueuedThenClosesTheOther() {
    upstream.pipeline().fireChannelRead(text("queued reply"));
    assertThat(drain(downstream)).isEmpty();
    upstream.close();
    assertThat(drain(downstream)).isEqualTo("queued reply");
    assertThat(downstream.isOpen()).isFalse();
  }

  @Test
  void idleSpliceClosesBothAfterTheIdleTimeout() {
    downstream.writeInbound(text("x"));
    downstream.advanceTimeBy(59, TimeUnit.MINUTES);
    downstream.runScheduledPendingTasks();
    assertThat(downstream.isOpen()).isTrue();
    downstream.advanceTimeBy(2, TimeUnit.MINUTES);
    downstream.runScheduledPendingTasks();
    assertThat(downstream.isOpen()).isFalse();
    assertThat(upstream.isOpen()).isFalse();
  }

  @Test
  void errorOnEitherSideClosesBoth() {
    upstream.pipeline().fireExceptionCaught(new java.io.IOException("connection reset by peer"));
    assertThat(upstream.isOpen()).isFalse();
    assertThat(downstream.isOpen()).isFalse();
  }

  @Test
  void refusesChannelsTheCallingThreadDoesNotServe() throws Exception {
    var group = new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
    try {
      Channel foreign = new io.netty.channel.socket.nio.NioSocketChannel();
      group.register(foreign).sync();
      EmbeddedChannel local = new EmbeddedChannel();
      assertThatThrownBy(() -> TcpRelay.splice(local, foreign, Duration.ZERO))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("expected: the calling thread's event loop");
      foreign.close().sync();
      local.finishAndReleaseAll();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void connectFailuresAreClassified() {
    assertThat(ConnectFailure.of(new java.net.ConnectException("connect(..) failed: Connection refused")))
        .isEqualTo(ConnectFailure.REFUSED);
    assertThat(ConnectFailure.of(new io.netty.channel.ConnectTimeoutException("connection timed out after 10000 ms")))
        .isEqualTo(ConnectFailure.TIMED_OUT);
    assertThat(ConnectFailure.of(new java.net.NoRouteToHostException("No route to host")))
        .isEqualTo(ConnectFailure.HOST_UNREACHABLE);
    assertThat(ConnectFailure.of(new java.net.SocketException("Network is unreachable")))
        .isEqualTo(ConnectFailure.NETWORK_UNREACHABLE);
    assertThat(ConnectFailure.of(new java.net.UnknownHostException("nowhere.invalid")))
        .isEqualTo(ConnectFailure.UNKNOWN_HOST);
    assertThat(ConnectFailure.of(new java.io.IOException("Too many open files")))
        .isEqualTo(ConnectFailure.OTHER);
  }
}
