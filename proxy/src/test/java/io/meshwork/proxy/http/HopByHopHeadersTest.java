package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {

  @Test
  void removesConnectionScopedHeadersAndThoseConnectionNames() {
    HttpHeaders h = new DefaultHttpHeaders()
        .add("connection", "keep-alive, X-Session")
        .add("connection", "x-other")
        .add("x-session", "1").add("x-other", "2")
        .add("keep-alive", "timeout=5").add("proxy-connection", "keep-alive")
        .add("transfer-encoding", "chunked").add("upgrade", "h2c")
        .add("te", "gzip, trailers").add("x-http2-stream-id", "3")
        .add("x-kept", "yes");
    boolean chunked = HopByHopHeaders.strip(h, false);
    assertThat(chunked).isTrue();
    assertThat(h.names()).containsExactlyInAnyOrder("x-kept", "te");
    assertThat(h.get("te")).isEqualTo("trailers");
  }

  @Test
  void teWithoutTrailersIsDropped() {
    HttpHeaders h = new DefaultHttpHeaders().add("te", "gzip");
    assertThat(HopByHopHeaders.strip(h, false)).isFalse();
    assertThat(h.isEmpty()).isTrue();
  }

  @Test
  void aWebSocketHandshakeKeepsItsUpgrade() {
    HttpHeaders h = new DefaultHttpHeaders().add("connection", "keep-alive, Upgrade").add("upgrade", "websocket");
    HopByHopHeaders.strip(h, true);
    assertThat(h.get("connection")).isEqualTo("upgrade");
    assertThat(h.get("upgrade")).isEqualTo("websocket");
  }

  @Test
  void tokensMatchCaseInsensitively() {
    assertThat(HopByHopHeaders.containsToken("Keep-Alive, UPGRADE", "upgrade")).isTrue();
    assertThat(HopByHopHeaders.containsToken("upgrades", "upgrade")).isFalse();
    assertThat(HopByHopHeaders.containsToken(null, "upgrade")).isFalse();
  }
}
