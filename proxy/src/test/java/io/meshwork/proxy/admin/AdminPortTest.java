package io.meshwork.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.fixtures.H2Client;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin port: readiness, /config and draining. */
@Timeout(30)
class AdminPortTest {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HttpResponse<String> admin(Sidecar sidecar, String method, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), BodyHandlers.ofString());
  }

  @Test
  void readyOnlyWithASnapshot() throws Exception {
    SnapshotRef ref = new SnapshotRef(null);
    try (Sidecar sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1), ref)) {
      assertThat(admin(sidecar, "GET", "/ready").statusCode()).isEqualTo(503);
      assertThat(admin(sidecar, "GET", "/config").statusCode()).isEqualTo(503);
      ref.set(Meshes.snapshot(Map.of()).get());
      HttpResponse<String> ready = admin(sidecar, "GET", "/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).isEqualTo("ready\n");
      assertThat(admin(sidecar, "GET", "/").body()).contains("/ready", "/config", "/drain");
      assertThat(admin(sidecar, "GET", "/nope").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void configShowsVersionSummaryAndNotices() throws Exception {
    try (Sidecar sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1),
        Meshes.snapshot(Map.of()))) {
      HttpResponse<String> config = admin(sidecar, "GET", "/config");
      assertThat(config.statusCode()).isEqualTo(200);
      assertThat(config.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(config.body()).contains("\"version\" : 1", "\"notices\" : [ \"test notice\" ]", "\"summary\"");
    }
  }

  @Test
  void drainSendsGoAwayToHttp2Connections() throws Exception {
    try (Sidecar sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1),
            Meshes.snapshot(Map.of()));
        H2Client h2 = new H2Client(new java.net.InetSocketAddress("127.0.0.1", sidecar.httpPort()))) {
      H2Client.Stream s = h2.open();
      var get = new io.netty.handler.codec.http.DefaultHttpRequest(
          io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.GET, "/");
      get.headers().set("host", "nobody");
      s.send(get);
      s.send(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT);
      assertThat(((io.netty.handler.codec.http.HttpResponse) s.next()).status().code()).isEqualTo(404);
      assertThat(admin(sidecar, "POST", "/drain").statusCode()).isEqualTo(200);
      Object frame;
      do {
        frame = h2.connectionFrames.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(frame).as("a GOAWAY within 10 s").isNotNull();
      } while (!(frame instanceof io.netty.handler.codec.http2.Http2GoAwayFrame));
      assertThat(((io.netty.handler.codec.http2.Http2GoAwayFrame) frame).errorCode()).isZero();
      io.netty.util.ReferenceCountUtil.release(frame);
    }
  }

  @Test
  void drainStopsAcceptingAndTurnsNotReady() throws Exception {
    try (TestBackend backend = TestBackend.http1((r, n) -> TestBackend.text(HttpResponseStatus.OK, "ok"));
        Sidecar sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1),
            Meshes.snapshot(Meshes.host("svc", Meshes.forward(Meshes.cluster("svc", backend.address())))))) {
      HttpRequest call = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/"))
          .header("dapr-app-id", "svc").build();
      assertThat(client.send(call, BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      assertThat(admin(sidecar, "GET", "/drain").statusCode()).isEqualTo(405);
      assertThat(admin(sidecar, "POST", "/drain").body()).isEqualTo("draining\n");
      assertThat(admin(sidecar, "GET", "/ready").statusCode()).isEqualTo(503);
      HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      assertThat(sidecar.isDraining()).isTrue();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> fresh.send(call, BodyHandlers.ofString()))
          .isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void adminListensOnLoopbackEvenWhenTrafficPortsBindEverywhere() throws Exception {
    SidecarSettings everywhere = new SidecarSettings("orders", null, null, "0.0.0.0", 0, 0, 0, Map.of(), 1);
    try (Sidecar sidecar = Sidecar.start(everywhere, Meshes.snapshot(Map.of()))) {
      assertThat(sidecar.adminAddress().getAddress().isLoopbackAddress()).isTrue();
      assertThat(admin(sidecar, "GET", "/ready").statusCode()).isEqualTo(200);
      assertThat(admin(sidecar, "GET", "/config").statusCode()).isEqualTo(200);
    }
    // A loopback caller needs no token, even when one is configured.
    try (Sidecar sidecar = Sidecar.start(everywhere.withAdmin("127.0.0.2", AdminAccess.withToken("t0ken")),
        Meshes.snapshot(Map.of()))) {
      assertThat(sidecar.adminAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.2");
      HttpResponse<String> config = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.2:" + sidecar.adminPort() + "/config")).build(), BodyHandlers.ofString());
      assertThat(config.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void undrainAcceptsTrafficAgainOnTheSamePorts() throws Exception {
    try (TestBackend backend = TestBackend.http1((r, n) -> TestBackend.text(HttpResponseStatus.OK, "ok"));
        Sidecar sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1).withSocksPort(0),
            Meshes.snapshot(Meshes.host("svc", Meshes.forward(Meshes.cluster("svc", backend.address())))))) {
      int port = sidecar.httpPort();
      int socks = sidecar.socksPort();
      HttpRequest call = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
          .header("dapr-app-id", "svc").build();
      assertThat(admin(sidecar, "DELETE", "/drain").body()).as("not draining: nothing to undo").isEqualTo("accepting\n");
      assertThat(admin(sidecar, "POST", "/drain").statusCode()).isEqualTo(200);
      HttpResponse<String> ready = admin(sidecar, "GET", "/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).startsWith("not ready: draining");
      HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> fresh.send(call, BodyHandlers.ofString()))
          .isInstanceOf(ConnectException.class);

      HttpResponse<String> undrain = admin(sidecar, "DELETE", "/drain");
      assertThat(undrain.statusCode()).isEqualTo(200);
      assertThat(undrain.body()).isEqualTo("accepting\n");
      assertThat(sidecar.isDraining()).isFalse();
      assertThat(admin(sidecar, "GET", "/ready").statusCode()).isEqualTo(200);
      assertThat(sidecar.httpPort()).isEqualTo(port);
      HttpClient again = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      assertThat(again.send(call, BodyHandlers.ofString()).body()).isEqualTo("ok");
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", socks)) {
        assertThat(s.isConnected()).isTrue();
      }
      assertThat(admin(sidecar, "PUT", "/drain").statusCode()).isEqualTo(405);
    }
  }
}
