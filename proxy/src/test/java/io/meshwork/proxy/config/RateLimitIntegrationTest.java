package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.fixtures.TestBackend;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RateLimitPolicy from YAML through a real sidecar (two event loops) in front of a real app, called with the JDK client. */
@Timeout(60)
class RateLimitIntegrationTest {
  private TestBackend app;
  private Sidecar sidecar;
  private MeshSnapshot snapshot;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void startApp() {
    app = TestBackend.http1((r, n) -> TestBackend.text(HttpResponseStatus.OK, "app got " + r.uri()));
  }

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    app.close();
    client.close();
  }

  private void startSidecar(String yaml) {
    snapshot = new SnapshotCompiler().compile(1, Resources.yaml(yaml), new LocalService("products", "shop"));
    assertThat(snapshot.notices()).isEmpty();
    sidecar = Sidecar.start(SidecarSettings.defaults("products").withIoThreads(2)
        .withTarget(URI.create("http://127.0.0.1:" + app.address().getPort())), new SnapshotRef(snapshot));
  }

  private java.util.List<io.meshwork.proxy.ratelimit.RateLimitRule> sidecarLimits() {
    return snapshot.rateLimits().inbound();
  }

  /** h2load over HTTP/1.1 keep-alive, four connections, for {@code seconds}: little cost to a shared machine. */
  private String h2load(int seconds) throws Exception {
    Process load = new ProcessBuilder("h2load", "--h1", "-c", "4", "-m", "1", "-D", Integer.toString(seconds),
        "http://127.0.0.1:" + sidecar.inboundPort() + "/load/x").redirectErrorStream(true).start();
    String report = new String(load.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(load.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return report;
  }

  /** The 2xx and 4xx counts of an h2load report. */
  private static int[] statusCodes(String report) {
    Matcher codes = Pattern.compile("status codes: (\\d+) 2xx, \\d+ 3xx, (\\d+) 4xx").matcher(report);
    assertThat(codes.find()).as(report).isTrue();
    return new int[] {Integer.parseInt(codes.group(1)), Integer.parseInt(codes.group(2))};
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.inboundPort() + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), BodyHandlers.ofString());
  }

  @Test
  void twoPerMinuteAdmitsTwoThenAnswers429WithTheRateLimitFields() throws Exception {
    startSidecar("""
        apiVersion: meshwork.io/v1alpha1
        kind: RateLimitPolicy
        metadata: {name: two-per-minute, namespace: shop}
        spec:
          selector: {matchLabels: {app: products}}
          requestsPerUnit: 2
          unit: MINUTE
        """);
    List<Integer> statuses = new ArrayList<>();
    HttpResponse<String> last = null;
    for (int i = 0; i < 6; i++) {
      last = get("/api/products/" + i);
      statuses.add(last.statusCode());
    }
    assertThat(statuses).containsExactly(200, 200, 429, 429, 429, 429);
    assertThat(app.requests.get()).isEqualTo(2);
    assertThat(last.headers().firstValue("x-meshwork-error")).contains("rate_limited");
    assertThat(last.headers().firstValue("ratelimit-policy")).contains("\"two-per-minute\";q=2;w=60");
    long retryAfter = Long.parseLong(last.headers().firstValue("retry-after").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 30L);
    assertThat(last.headers().firstValue("ratelimit")).contains("\"two-per-minute\";r=0;t=" + retryAfter);
  }

  @Test
  void aLocalLimitHoldsWithinTwoPercentUnderLoad() throws Exception {
    startSidecar("""
        apiVersion: meshwork.io/v1alpha1
        kind: RateLimitPolicy
        metadata: {name: hundred-per-second, namespace: shop}
        spec:
          requestsPerUnit: 100
          match: [{uri: {prefix: /load/}}]
        """);
    // Warm-up seconds of load (until one ends refusing more than it admits) empty the bucket; from
    // then on the requests admitted are the refill rate alone, counted by the policy between two instants.
    var state = sidecarLimits().get(0).state();
    for (int i = 0; i < 10; i++) {
      int[] warmUp = statusCodes(h2load(1));
      if (warmUp[1] > warmUp[0]) {
        break;
      }
    }
    long admittedBefore = state.admitted();
    long t0 = System.nanoTime();
    String report = h2load(3);
    long admitted = state.admitted() - admittedBefore;
    double seconds = (System.nanoTime() - t0) / 1e9;
    int[] codes = statusCodes(report);
    assertThat(codes[1]).as("the load exceeded the limit: " + report).isGreaterThan(codes[0]);
    double expected = 100 * seconds;
    assertThat((double) admitted).as(report).isBetween(expected * 0.98, expected * 1.02);
    // Paths outside the match are not limited.
    assertThat(get("/other").statusCode()).isEqualTo(200);
  }
}
