package io.meshwork.proxy.forward;

import static io.meshwork.proxy.fixtures.Meshes.cluster;
import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpRequest;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A WebSocket handshake is forwarded on a dedicated connection; after the 101 bytes flow both ways. */
@Timeout(30)
class WebSocketTunnelTest {
  static TestBackend ws;
  static Sidecar sidecar;

  @BeforeAll
  static void start() {
    ws = TestBackend.webSocketEcho();
    sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1),
        Meshes.snapshot(host("chat", forward(cluster("chat", ws.address())))));
  }

  @AfterAll
  static void stop() {
    sidecar.close();
    ws.close();
  }

  @Test
  void upgradeThenSpliceBytesBothWays() throws Exception {
    try (Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET /socket HTTP/1.1\r\nHost: chat\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 101");
      assertThat(head.toLowerCase()).contains("upgrade: websocket").contains("connection: upgrade");
      for (String frame : new String[] {"ping-1", "a longer message with some bytes in it", "last"}) {
        s.getOutputStream().write(frame.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        assertThat(new String(in.readNBytes(frame.length()), StandardCharsets.UTF_8)).isEqualTo(frame);
      }
    }
    HttpRequest seen = ws.received.take();
    assertThat(seen.headers().get("upgrade")).isEqualTo("websocket");
    assertThat(seen.headers().get("sec-websocket-key")).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
  }

  private static String readHead(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.append((char) c);
    }
    return head.toString();
  }
}
