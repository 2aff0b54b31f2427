package io.meshwork.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The tunnel framing on EmbeddedChannels: frames out, frames in, the end of a direction, and a splice across it. */
class StreamFramingTest {

  private static EmbeddedChannel framed() {
    EmbeddedChannel ch = new EmbeddedChannel();
    StreamFraming.install(ch.pipeline());
    return ch;
  }

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  private static ByteBuf wire(EmbeddedChannel ch) {
    ByteBuf all = Unpooled.buffer();
    for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
      all.writeBytes(b);
      b.release();
    }
    return all;
  }

  @Test
  void chunksGoOutLengthPrefixedAndTheEndOfADirectionIsAZeroLengthFrame() {
    EmbeddedChannel ch = framed();
    ch.writeOutbound(text("hello"), Unpooled.EMPTY_BUFFER);
    ch.writeOutbound(StreamFraming.FIN);
    ByteBuf out = wire(ch);
    assertThat(out.readInt()).isEqualTo(5);
    assertThat(out.readCharSequence(5, StandardCharsets.US_ASCII).toString()).isEqualTo("hello");
    assertThat(out.readInt()).as("an empty buffer is no frame; the FIN is").isZero();
    assertThat(out.isReadable()).isFalse();
    out.release();
    ch.finishAndReleaseAll();
  }

  @Test
  void framesSplitAcrossReadsAreReassembledAndNothingIsReadAfterTheEnd() {
    EmbeddedChannel ch = framed();
    ByteBuf in = Unpooled.buffer().writeInt(3).writeBytes("abc".getBytes(StandardCharsets.US_ASCII))
        .writeInt(2).writeBytes("de".getBytes(StandardCharsets.US_ASCII)).writeInt(0).writeInt(4);
    ch.writeInbound(in.readRetainedSlice(5));
    ch.writeInbound(in.readRetainedSlice(in.readableBytes()));
    in.release();
    StringBuilder got = new StringBuilder();
    Object msg;
    while ((msg = ch.readInbound()) != null) {
      if (msg == StreamFraming.FIN) {
        got.append("|FIN");
      } else {
        ByteBuf b = (ByteBuf) msg;
        got.append(b.toString(StandardCharsets.US_ASCII));
        b.release();
      }
    }
    assertThat(got).hasToString("abcde|FIN");
    ch.finishAndReleaseAll();
  }

  @Test
  void aLengthOutOfRangeClosesTheConnection() {
    EmbeddedChannel ch = framed();
    ch.writeInbound(Unpooled.buffer().writeInt(StreamFraming.MAX_FRAME + 1));
    assertThat(ch.isOpen()).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void bigBuffersGoInSeveralFrames() {
    EmbeddedChannel ch = framed();
    ch.writeOutbound(Unpooled.wrappedBuffer(new byte[StreamFraming.MAX_FRAME + 10]));
    ByteBuf out = wire(ch);
    assertThat(out.readInt()).isEqualTo(StreamFraming.MAX_FRAME);
    out.skipBytes(StreamFraming.MAX_FRAME);
    assertThat(out.readInt()).isEqualTo(10);
    out.skipBytes(10);
    assertThat(out.isReadable()).isFalse();
    out.release();
    ch.finishAndReleaseAll();
  }

  @Test
  void aSpliceRelaysAPlainFinAsAFrameAndAFrameFinAsAHalfClose() {
    EmbeddedChannel plain = new EmbeddedChannel();
    EmbeddedChannel framed = framed();
    plain.config().setAutoRead(false);
    framed.config().setAutoRead(false);
    TcpRelay.splice(plain, framed, Duration.ZERO);

    plain.writeInbound(text("ping"));
    plain.pipeline().fireUserEventTriggered(io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE);
    ByteBuf out = wire(framed);
    assertThat(out.readInt()).isEqualTo(4);
    out.skipBytes(4);
    assertThat(out.readInt()).as("the plain side's FIN crosses as the end frame").isZero();
    out.release();
    assertThat(framed.isOpen()).as("the other direction keeps flowing").isTrue();

    framed.writeInbound(Unpooled.buffer().writeInt(4).writeBytes("pong".getBytes(StandardCharsets.US_ASCII)));
    ByteBuf back = wire(plain);
    assertThat(back.toString(StandardCharsets.US_ASCII)).isEqualTo("pong");
    back.release();
    plain.finishAndReleaseAll();
    framed.finishAndReleaseAll();
  }

  @Test
  void aFramedConnectionCutWithoutItsEndFrameClosesTheSplice() {
    EmbeddedChannel plain = new EmbeddedChannel();
    EmbeddedChannel framed = framed();
    plain.config().setAutoRead(false);
    framed.config().setAutoRead(false);
    TcpRelay.splice(plain, framed, Duration.ZERO);
    framed.pipeline().fireUserEventTriggered(io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE);
    assertThat(plain.isOpen()).isFalse();
    assertThat(framed.isOpen()).isFalse();
    plain.finishAndReleaseAll();
    framed.finishAndReleaseAll();
  }
}
