package io.meshwork.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one HTTP/1.1 exchange through Netty's server codec without sockets: decode a request of
 * typical sidecar size, encode a 64-byte response. This is the floor under every HTTP/1 hop the
 * proxy makes (it pays it twice per request: downstream and upstream).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Http1RoundTripBenchmark {

  /** Header count of the request: a bare curl-like request, or one carrying tracing headers. */
  @Param({"3", "12"})
  public int headers;

  private EmbeddedChannel channel;
  private ByteBuf request;

  @Setup(Level.Trial)
  public void setUp() {
    StringBuilder text = new StringBuilder("GET /api/v1/items/42 HTTP/1.1\r\nhost: backend:80\r\n");
    for (int i = 1; i < headers; i++) {
      text.append("x-header-").append(i).append(": value-").append(i).append("-0123456789abcdef\r\n");
    }
    text.append("\r\n");
    request = Unpooled.directBuffer().writeBytes(text.toString().getBytes(StandardCharsets.US_ASCII));
    ByteBuf body = Unpooled.directBuffer(64).writeZero(64);
    channel = new EmbeddedChannel(new HttpServerCodec(), new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        boolean last = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        if (last) {
          FullHttpResponse response = new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body.retainedDuplicate());
          response.headers()
              .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
              .setInt(HttpHeaderNames.CONTENT_LENGTH, 64);
          ctx.write(response);
        }
      }
    });
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    channel.finishAndReleaseAll();
    request.release();
  }

  @Benchmark
  public int decodeRequestEncodeResponse() {
    channel.writeInbound(request.retainedDuplicate());
    channel.flushOutbound();
    int bytes = 0;
    Object out;
    while ((out = channel.readOutbound()) != null) {
      if (out instanceof ByteBuf buf) {
        bytes += buf.readableBytes();
      }
      ReferenceCountUtil.release(out);
    }
    return bytes;
  }
}
