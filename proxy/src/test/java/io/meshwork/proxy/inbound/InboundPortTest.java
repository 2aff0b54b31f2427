package io.meshwork.proxy.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The inbound port forwards everything to the local application, keeping the caller's Host. */
@Timeout(30)
class InboundPortTest {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void forwardsToTheLocalApp() throws Exception {
    try (TestBackend app = TestBackend.http1((r, n) -> TestBackend.text(HttpResponseStatus.OK, "app got " + r.uri()));
        Sidecar sidecar = Sidecar.start(SidecarSettings.defaults("products").withIoThreads(1)
            .withTarget(URI.create("http://127.0.0.1:" + app.address().getPort())), Meshes.snapshot(Map.of()))) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + sidecar.inboundPort() + "/items?id=1")).build(), BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("app got /items?id=1");
      assertThat(app.received.take().headers().get("host")).isEqualTo("127.0.0.1:" + sidecar.inboundPort());
    }
  }

  @Test
  void appDownIs503AfterOneConnectRetry() throws Exception {
    var dead = Meshes.deadAddress();
    try (Sidecar sidecar = Sidecar.start(SidecarSettings.defaults("products").withIoThreads(1)
        .withTarget(URI.create("http://127.0.0.1:" + dead.getPort())), Meshes.snapshot(Map.of()))) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + sidecar.inboundPort() + "/")).build(), BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("upstream connect error or disconnect/reset before headers (connection failure)\n");
    }
  }
}
