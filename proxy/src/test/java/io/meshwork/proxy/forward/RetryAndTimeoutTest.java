package io.meshwork.proxy.forward;

import static io.meshwork.proxy.fixtures.Meshes.cluster;
import static io.meshwork.proxy.fixtures.Meshes.forward;
import static io.meshwork.proxy.fixtures.Meshes.host;
import static io.meshwork.proxy.fixtures.Meshes.retries;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.fixtures.Meshes;
import io.meshwork.proxy.fixtures.TestBackend;
import io.meshwork.proxy.retry.RetryOn;
import io.meshwork.proxy.retry.RetryPolicy;
import io.meshwork.proxy.route.Route;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Retries (status, connect failure, replay limit) and the per-try and route timeouts, over real sockets. */
@Timeout(30)
class RetryAndTimeoutTest {
  static TestBackend flaky;
  static TestBackend flakyBig;
  static TestBackend live;
  static TestBackend silent;
  static Sidecar sidecar;
  static HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    flaky = TestBackend.http1((req, n) -> n <= 2
        ? TestBackend.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "busy " + n)
        : TestBackend.text(HttpResponseStatus.OK, "ok after " + n + " body " + req.content().readableBytes()));
    flakyBig = TestBackend.http1((req, n) -> TestBackend.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "busy " + n));
    live = TestBackend.http1((req, n) -> TestBackend.text(HttpResponseStatus.OK, "live"));
    silent = TestBackend.http1((req, n) -> null);
    Map<String, List<Route>> hosts = new HashMap<>();
    hosts.putAll(host("flaky", forward(cluster("flaky", flaky.address()), Duration.ZERO,
        retries(2, Duration.ZERO, RetryOn.FIVE_XX))));
    hosts.putAll(host("flaky-big", forward(cluster("flaky-big", flakyBig.address()), Duration.ZERO,
        retries(2, Duration.ZERO, RetryOn.FIVE_XX))));
    hosts.putAll(host("half-dead", forward(cluster("half-dead", Meshes.deadAddress(), live.address()), Duration.ZERO,
        retries(1, Duration.ZERO, RetryOn.CONNECT_FAILURE))));
    hosts.putAll(host("per-try", forward(cluster("per-try", silent.address()), Duration.ZERO,
        retries(1, Duration.ofMillis(150), RetryOn.RESET))));
    hosts.putAll(host("slow", forward(cluster("slow", silent.address()), Duration.ofMillis(200), RetryPolicy.NONE)));
    sidecar = Sidecar.start(SidecarSettings.defaults("orders").withIoThreads(1), Meshes.snapshot(hosts));
  }

  @AfterAll
  static void stop() {
    sidecar.close();
    for (TestBackend b : List.of(flaky, flakyBig, live, silent)) {
      b.close();
    }
  }

  private static HttpResponse<String> call(String service, HttpRequest.BodyPublisher body) throws Exception {
    return call("POST", service, body);
  }

  private static HttpResponse<String> call(String method, String service, HttpRequest.BodyPublisher body)
      throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/work"))
        .header("dapr-app-id", service).method(method, body).build(), BodyHandlers.ofString());
  }

  @Test
  void retriableStatusIsRetriedWithTheBodyReplayed() throws Exception {
    HttpResponse<String> r = call("flaky", BodyPublishers.ofString("x".repeat(1000)));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok after 3 body 1000");
    assertThat(flaky.requests.get()).isEqualTo(3);
    assertThat(flaky.received).extracting(h -> h.headers().get("x-envoy-attempt-count")).containsExactly("1", "2", "3");
  }

  @Test
  void bodiesBeyondTheReplayLimitAreNotRetried() throws Exception {
    HttpResponse<String> r = call("flaky-big", BodyPublishers.ofString("y".repeat(200 * 1024)));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("busy 1");
    assertThat(flakyBig.requests.get()).isEqualTo(1);
  }

  @Test
  void connectFailureMovesToAnotherEndpoint() throws Exception {
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = call("half-dead", BodyPublishers.noBody());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("live");
    }
  }

  @Test
  void perTryTimeoutRetriesThenAnswers504() throws Exception {
    int before = silent.requests.get();
    long start = System.nanoTime();
    HttpResponse<String> r = call("PUT", "per-try", BodyPublishers.noBody());
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).isEqualTo("upstream request timeout\n");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    awaitRequests(silent, before + 2);
  }

  @Test
  void perTryTimeoutDoesNotRepeatAPost() throws Exception {
    int before = silent.requests.get();
    HttpResponse<String> r = call("POST", "per-try", BodyPublishers.ofString("{}"));
    assertThat(r.statusCode()).isEqualTo(504);
    // The upstream may be working on it: a non-idempotent request is executed once (RFC 9110 §9.2.2).
    assertThat(silent.requests.get()).isEqualTo(before + 1);
  }

  @Test
  void routeTimeoutAnswers504() throws Exception {
    HttpResponse<String> r = call("slow", BodyPublishers.noBody());
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.headers().firstValue("x-meshwork-error")).hasValue("upstream_timeout");
    HttpResponse<String> grpc = client.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/pkg.Svc/Slow"))
        .header("dapr-app-id", "slow").header("content-type", "application/grpc")
        .POST(BodyPublishers.noBody()).build(), BodyHandlers.ofString());
    assertThat(grpc.statusCode()).isEqualTo(200);
    assertThat(grpc.headers().firstValue("grpc-status")).hasValue("4");
  }

  private static void awaitRequests(TestBackend backend, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (backend.requests.get() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(backend.requests.get()).isGreaterThanOrEqualTo(count);
  }
}
