package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorResponsesTest {

  @Test
  void textErrorsCarryStatusReasonAndBody() {
    FullHttpResponse r = ErrorResponses.of(ByteBufAllocator.DEFAULT, ProxyError.NO_HEALTHY_UPSTREAM, "no healthy endpoint", false);
    assertThat(r.status().code()).isEqualTo(503);
    assertThat(r.headers().get("content-type")).startsWith("text/plain");
    assertThat(r.headers().get("x-meshwork-error")).isEqualTo("no_healthy_upstream");
    assertThat(r.headers().getInt("content-length")).isEqualTo(20);
    assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo("no healthy endpoint\n");
    r.release();
  }

  @ParameterizedTest
  @CsvSource({
      "UPSTREAM_CONNECT, 14", "NO_HEALTHY_UPSTREAM, 14", "UPSTREAM_TIMEOUT, 4", "NO_ROUTE, 12",
      "UNKNOWN_HOST, 12", "BAD_REQUEST, 13"})
  void grpcCallersGetTrailersOnlyResponses(ProxyError error, int grpcStatus) {
    FullHttpResponse r = ErrorResponses.of(ByteBufAllocator.DEFAULT, error, "why: 100% \"broken\"", true);
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.headers().get("content-type")).isEqualTo("application/grpc");
    assertThat(r.headers().getInt("grpc-status")).isEqualTo(grpcStatus);
    assertThat(r.headers().get("grpc-message")).isEqualTo("why: 100%25 \"broken\"");
    assertThat(r.content().isReadable()).isFalse();
  }

  @Test
  void grpcMessageIsPercentEncodedUtf8() {
    assertThat(ErrorResponses.percentEncode("plain")).isEqualTo("plain");
    assertThat(ErrorResponses.percentEncode("caf\u00e9\n")).isEqualTo("caf%C3%A9%0A");
  }

  @Test
  void grpcIsRecognisedByContentType() {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/a.B/C");
    assertThat(ErrorResponses.isGrpc(r)).isFalse();
    r.headers().set("content-type", "application/grpc+proto");
    assertThat(ErrorResponses.isGrpc(r)).isTrue();
    r.headers().set("content-type", "application/json");
    assertThat(ErrorResponses.isGrpc(r)).isFalse();
  }
}
