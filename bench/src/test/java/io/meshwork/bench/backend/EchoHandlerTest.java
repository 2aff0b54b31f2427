package io.meshwork.bench.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EchoHandlerTest {

  private final CannedResponses responses = new CannedResponses(ByteBufAllocator.DEFAULT, 8);
  private final EmbeddedChannel channel =
      new EmbeddedChannel(new HttpRequestDecoder(), new EchoHandler(responses));

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
    responses.close();
  }

  @Test
  void answersPipelinedKeepAliveRequestsInOrderAndStaysOpen() {
    send("GET /a HTTP/1.1\r\nhost: b\r\n\r\nPOST /b HTTP/1.1\r\nhost: b\r\ncontent-length: 3\r\n\r\nabc");

    String out = received();
    assertThat(out).isEqualTo(ok("") + ok(""));
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void closesAfterAnsweringAConnectionCloseRequest() {
    send("GET / HTTP/1.1\r\nhost: b\r\nconnection: close\r\n\r\n");

    assertThat(received()).isEqualTo(ok("connection: close\r\n"));
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void http10WithoutKeepAliveIsClosed() {
    send("GET / HTTP/1.0\r\n\r\n");

    assertThat(received()).contains("connection: close");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void answersGarbageWith400AndCloses() {
    send("NOT HTTP AT ALL\r\n\r\n");

    assertThat(received()).startsWith("HTTP/1.1 400 Bad Request\r\n");
    assertThat(channel.isOpen()).isFalse();
  }

  private void send(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
  }

  private String received() {
    StringBuilder all = new StringBuilder();
    ByteBuf out;
    while ((out = channel.readOutbound()) != null) {
      all.append(out.toString(StandardCharsets.US_ASCII));
      out.release();
    }
    return all.toString();
  }

  private static String ok(String extraHeaders) {
    return "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 8\r\n" + extraHeaders + "\r\nmmmmmmmm";
  }
}
