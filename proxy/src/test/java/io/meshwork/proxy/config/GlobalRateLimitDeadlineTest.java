package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
import io.meshwork.proxy.fixtures.TestBackend;
import io.meshwork.proxy.ratelimit.ControlPlaneCounters;
import io.meshwork.proxy.ratelimit.GlobalLimit;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real sidecar whose counters are a control plane that accepts connections and never answers: the lease's
 * deadline decides, so requests are let through (ALLOW) or refused (DENY) within it, never held.
 */
@Timeout(60)
class GlobalRateLimitDeadlineTest {
  private final List<Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());
  private ServerSocket silent;
  private Thread acceptor;
  private TestBackend app;
  private Sidecar sidecar;
  private ControlPlaneCounters counters;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    if (counters != null) {
      counters.close();
    }
    app.close();
    client.close();
    silent.close();
    acceptor.join(5_000);
    synchronized (held) {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void aControlPlaneThatNeverAnswersCostsARequestOneDeadlineAtMost() throws Exception {
    silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(() -> {
      try {
        while (true) {
          held.add(silent.accept()); // read nothing, answer nothing
        }
      } catch (java.io.IOException closed) {
        // the test is over
      }
    });
    acceptor.start();
    app = TestBackend.http1((r, n) -> TestBackend.text(HttpResponseStatus.OK, "app got " + r.uri()));
    counters = new ControlPlaneCounters(URI.create("http://127.0.0.1:" + silent.getLocalPort()),
        ControlPlaneAuth.NONE, GlobalLimit.DEADLINE);
    MeshSnapshot snapshot = new SnapshotCompiler(counters).compile(1, Resources.yaml("""
        apiVersion: meshwork.io/v1alpha1
        kind: RateLimitPolicy
        metadata: {name: open, namespace: shop}
        spec:
          scope: GLOBAL
          requestsPerUnit: 100
          match: [{uri: {prefix: /open/}}]
        ---
        apiVersion: meshwork.io/v1alpha1
        kind: RateLimitPolicy
        metadata: {name: closed, namespace: shop}
        spec:
          scope: GLOBAL
          failureMode: DENY
          requestsPerUnit: 100
          match: [{uri: {prefix: /closed/}}]
        """), new LocalService("products", "shop"));
    assertThat(snapshot.notices()).isEmpty();
    sidecar = Sidecar.start(SidecarSettings.defaults("products").withIoThreads(2)
        .withTarget(URI.create("http://127.0.0.1:" + app.address().getPort())), new SnapshotRef(snapshot));

    long deadlineMillis = GlobalLimit.DEADLINE.toMillis();
    assertThat(get("/warm-up").statusCode()).isEqualTo(200); // no policy matches: the sidecar's own first request
    long start = System.nanoTime();
    assertThat(get("/open/first").statusCode()).isEqualTo(200);
    long first = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    // The first request waited for the lease until its deadline, far below the client's 10 s (a busy machine adds
    // some: the bound is generous).
    assertThat(first).isBetween(deadlineMillis - 50, 6 * deadlineMillis);
    HttpResponse<String> denied = get("/closed/first");
    assertThat(denied.statusCode()).isEqualTo(503);
    assertThat(denied.headers().firstValue("x-meshwork-error")).hasValue("rate_limit_unavailable");
    assertThat(denied.headers().firstValue("retry-after")).hasValue("1");

    // Within the outage nobody waits: twenty requests in much less than one deadline each.
    start = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      assertThat(get("/open/" + i).statusCode()).isEqualTo(200);
      assertThat(get("/closed/" + i).statusCode()).isEqualTo(503);
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10 * deadlineMillis);
    var open = snapshot.rateLimits().globalInbound().stream().filter(r -> r.name().equals("open")).findFirst()
        .orElseThrow().state();
    var closed = snapshot.rateLimits().globalInbound().stream().filter(r -> r.name().equals("closed")).findFirst()
        .orElseThrow().state();
    assertThat(open.failedOpen()).isEqualTo(11);
    assertThat(closed.failedClosed()).isEqualTo(11);
    assertThat(open.admitted()).isZero();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.inboundPort() + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
