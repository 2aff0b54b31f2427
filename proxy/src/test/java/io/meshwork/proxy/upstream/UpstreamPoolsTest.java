package io.meshwork.proxy.upstream;

import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.cluster.Cluster;
import io.meshwork.proxy.cluster.ConnectionPoolSettings;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.cluster.UpstreamProtocol;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-event-loop pools over real sockets: keep-alive, Connection: close, idle timeout, HTTP/2 stream limits and GOAWAY. */
@Timeout(30)
class UpstreamPoolsTest {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static Cluster cluster(String host, UpstreamProtocol protocol, ConnectionPoolSettings pool, TestBackend backend) {
    return new Cluster("outbound|80||" + host, host, "", List.of(new Endpoint(backend.address(), Map.of(), 1)),
        Meshes.roundRobin(), HashPolicy.NONE, protocol, pool);
  }

  private Sidecar sidecar(Cluster cluster) {
    return Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1),
        Meshes.snapshot(host(cluster.host(), forward(cluster))));
  }

  private CompletableFuture<HttpResponse<String>> call(HttpClient c, Sidecar sidecar, String host) {
    return c.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/"))
        .header("dapr-app-id", host).build(), BodyHandlers.ofString());
  }

  private static void await(IntSupplier value, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (value.getAsInt() != expected && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(value.getAsInt()).isEqualTo(expected);
  }

  @Test
  void connectionCloseFromTheUpstreamDropsTheConnection() throws Exception {
    try (TestBackend backend = TestBackend.http1((r, n) -> {
          var resp = TestBackend.text(HttpResponseStatus.OK, "x");
          resp.headers().set("connection", "close");
          return resp;
        });
        Sidecar sidecar = sidecar(cluster("closer", UpstreamProtocol.HTTP1, ConnectionPoolSettings.DEFAULT, backend))) {
      for (int i = 0; i < 3; i++) {
        assertThat(call(client, sidecar, "closer").get().statusCode()).isEqualTo(200);
      }
      assertThat(backend.connections.get()).isEqualTo(3);
    }
  }

  @Test
  void idleConnectionsCloseAfterTheIdleTimeout() throws Exception {
    ConnectionPoolSettings pool = new ConnectionPoolSettings(Duration.ofSeconds(1), Duration.ofMillis(100), 0);
    try (TestBackend backend = TestBackend.http1((r, n) -> TestBackend.text(HttpResponseStatus.OK, "x"));
        Sidecar sidecar = sidecar(cluster("idle", UpstreamProtocol.HTTP1, pool, backend))) {
      assertThat(call(client, sidecar, "idle").get().statusCode()).isEqualTo(200);
      assertThat(call(client, sidecar, "idle").get().statusCode()).isEqualTo(200);
      assertThat(backend.connections.get()).isEqualTo(1);
      await(backend.closed::get, 1);
    }
  }

  @Test
  void maxRequestsPerConnectionIsHonoured() throws Exception {
    ConnectionPoolSettings pool = new ConnectionPoolSettings(Duration.ofSeconds(1), Duration.ofHours(1), 2);
    try (TestBackend backend = TestBackend.http1((r, n) -> TestBackend.text(HttpResponseStatus.OK, "x"));
        Sidecar sidecar = sidecar(cluster("limited", UpstreamProtocol.HTTP1, pool, backend))) {
      for (int i = 0; i < 4; i++) {
        assertThat(call(client, sidecar, "limited").get().statusCode()).isEqualTo(200);
      }
      assertThat(backend.connections.get()).isEqualTo(2);
    }
  }

  @Test
  void http2StreamLimitOpensAnotherConnection() throws Exception {
    // The backend answers only once two streams are open at the same time: with one stream per
    // connection, that needs a second connection.
    try (TestBackend backend = TestBackend.http2(1, 2, false);
        Sidecar sidecar = sidecar(cluster("narrow", UpstreamProtocol.HTTP2, ConnectionPoolSettings.DEFAULT, backend))) {
      HttpClient other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      var first = call(client, sidecar, "narrow");
      await(backend.requests::get, 1);
      var second = call(other, sidecar, "narrow");
      assertThat(first.get().statusCode()).isEqualTo(200);
      assertThat(second.get().statusCode()).isEqualTo(200);
      assertThat(backend.connections.get()).isEqualTo(2);
    }
  }

  @Test
  void http2StreamsShareOneConnectionUntilGoAway() throws Exception {
    try (TestBackend shared = TestBackend.http2(100, 1, false);
        Sidecar sidecar = sidecar(cluster("shared", UpstreamProtocol.HTTP2, ConnectionPoolSettings.DEFAULT, shared))) {
      for (int i = 0; i < 3; i++) {
        assertThat(call(client, sidecar, "shared").get().statusCode()).isEqualTo(200);
      }
      assertThat(shared.connections.get()).isEqualTo(1);
    }
    try (TestBackend leaving = TestBackend.http2(100, 1, true);
        Sidecar sidecar = sidecar(cluster("leaving", UpstreamProtocol.HTTP2, ConnectionPoolSettings.DEFAULT, leaving))) {
      assertThat(call(client, sidecar, "leaving").get().statusCode()).isEqualTo(200);
      await(leaving.closed::get, 1);
      assertThat(call(client, sidecar, "leaving").get().statusCode()).isEqualTo(200);
      assertThat(leaving.connections.get()).isEqualTo(2);
    }
  }
}
