package io.meshwork.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.upstream.UpstreamStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestBodyTest {
  /** Collects what an attempt would send. */
  static final class Sink implements UpstreamStream {
    final List<HttpObject> written = new ArrayList<>();

    @Override
    public void write(HttpObject msg) {
      written.add(msg);
    }

    @Override
    public void flush() {}

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void setReadable(boolean readable) {}

    @Override
    public void done() {}

    @Override
    public void abort() {}

    @Override
    public Channel channel() {
      return null;
    }

    int bytes() {
      return written.stream().mapToInt(o -> ((HttpContent) o).content().readableBytes()).sum();
    }

    void release() {
      written.forEach(ReferenceCountUtil::release);
      written.clear();
    }
  }

  private static HttpContent part(int size) {
    return new DefaultHttpContent(Unpooled.buffer(size).writeZero(size));
  }

  @Test
  void smallBodiesReplayWhole() {
    RequestBody body = new RequestBody(100);
    body.add(part(40));
    Sink first = new Sink();
    body.sendTo(first);
    body.add(new DefaultLastHttpContent(Unpooled.buffer(10).writeZero(10)));
    body.sendTo(first);
    assertThat(first.bytes()).isEqualTo(50);
    assertThat(body.isComplete()).isTrue();
    body.rewind();
    Sink second = new Sink();
    body.sendTo(second);
    assertThat(second.bytes()).isEqualTo(50);
    first.release();
    second.release();
    body.release();
  }

  @Test
  void pastTheLimitSentPartsAreReleasedAndReplayIsRefused() {
    RequestBody body = new RequestBody(100);
    HttpContent a = part(60);
    ByteBuf aBuf = a.content();
    body.add(a);
    Sink sink = new Sink();
    body.sendTo(sink);
    sink.release();
    assertThat(aBuf.refCnt()).isEqualTo(1);
    body.add(part(60));
    assertThat(body.isReplayable()).isFalse();
    assertThat(aBuf.refCnt()).isZero();
    assertThatThrownBy(body::rewind).hasMessage("replayable: false (expected: true)");
    body.sendTo(sink);
    assertThat(sink.bytes()).isEqualTo(60);
    sink.release();
    body.release();
  }

  @Test
  void unsentBytesAreTrackedForBackpressure() {
    RequestBody body = new RequestBody(100);
    HttpContent a = part(80);
    HttpContent b = part(80);
    body.add(a);
    assertThat(body.overLimit()).isFalse();
    body.add(b);
    assertThat(body.overLimit()).isTrue();
    body.release();
    assertThat(a.refCnt()).isZero();
    assertThat(b.refCnt()).isZero();
  }
}
