package io.meshwork.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed 004 VirtualService and DestinationRule, as written, through a real sidecar to real
 * backends: canary header to v2, the rest split 90/10, retries and timeouts.
 */
class Seed004TrafficTest {
  @RegisterExtension final MeshExtension mesh = new MeshExtension();

  private static String seed(String file) throws IOException {
    try (InputStream in = Seed004TrafficTest.class.getResourceAsStream("/seed-004/" + file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * product-service v1 and v2, each app behind its own sidecar, as in a mesh: the caller's sidecar
   * reaches the instances' sidecars (over HTTP/2, as the seed's h2UpgradePolicy asks), and those
   * forward to their app over HTTP/1.1.
   */
  private MeshSidecar productMesh(TestBackend v1, TestBackend v2) throws IOException {
    MeshSidecar v1Sidecar = mesh.sidecar("product-service", v1);
    MeshSidecar v2Sidecar = mesh.sidecar("product-service", v2);
    mesh.config("product-service-entry.yaml", """
        apiVersion: networking.istio.io/v1beta1
        kind: ServiceEntry
        metadata:
          name: product-service
        spec:
          hosts: [product-service]
          ports:
          - {number: 80, name: http, protocol: HTTP}
          resolution: STATIC
          endpoints:
          - {address: 127.0.0.1, ports: {http: %d}, labels: {version: v1}}
          - {address: 127.0.0.1, ports: {http: %d}, labels: {version: v2}}
        """.formatted(v1Sidecar.inboundPort(), v2Sidecar.inboundPort()));
    mesh.config("virtual-service.yaml", seed("virtual-service.yaml"));
    mesh.config("destination-rule.yaml", seed("destination-rule.yaml"));
    return mesh.sidecar("order-service");
  }

  private static HttpResponse<String> get(HttpClient client, String url, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void canaryHeaderAlwaysReachesV2() throws Exception {
    TestBackend v1 = mesh.backend("v1");
    TestBackend v2 = mesh.backend("v2");
    HttpClient client = productMesh(v1, v2).proxiedClient();

    for (int i = 0; i < 300; i++) {
      HttpResponse<String> response = get(client, "http://product-service/api/products/" + i, "x-canary", "true");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("x-backend")).hasValue("v2");
    }
    assertThat(v1.requests()).isZero();
  }

  @Test
  void everyOtherRequestIsSplitNinetyTen() throws Exception {
    TestBackend v1 = mesh.backend("v1");
    TestBackend v2 = mesh.backend("v2");
    HttpClient client = productMesh(v1, v2).proxiedClient();

    int total = 3000;
    Map<String, Integer> served = new HashMap<>();
    for (int i = 0; i < total; i++) {
      HttpResponse<String> response = get(client, "http://product-service/api/products/" + i, "x-canary", "false");
      assertThat(response.statusCode()).isEqualTo(200);
      served.merge(response.headers().firstValue("x-backend").orElseThrow(), 1, Integer::sum);
    }
    // Binomial(3000, 0.1): mean 300, standard deviation ~16.4; five deviations either way.
    assertThat(served.get("v2")).isBetween(218, 382);
    assertThat(served.get("v1") + served.get("v2")).isEqualTo(total);
    System.out.printf("seed 004 split over %d requests: v1=%d v2=%d%n", total, served.get("v1"), served.get("v2"));
  }

  @Test
  void retriesRecoverFromAnUpstreamThatFailsWith503() throws Exception {
    TestBackend v1 = mesh.backend("v1");
    TestBackend v2 = mesh.backend("v2");
    HttpClient client = productMesh(v1, v2).proxiedClient();
    // The canary route has no retries block, so Istio's default applies (2 retries on 503);
    // the weighted route retries 3 times on 5xx.
    v2.failNext(2, 503);
    HttpResponse<String> canary = get(client, "http://product-service/", "x-canary", "true");
    assertThat(canary.statusCode()).isEqualTo(200);
    assertThat(v2.requests()).isEqualTo(3);

    v1.failNext(3, 500);
    v2.failNext(3, 500);
    HttpResponse<String> split = get(client, "http://product-service/");
    assertThat(split.statusCode()).isEqualTo(200);
    assertThat(v1.requests() + v2.requests() - 3).isEqualTo(4);
  }

  @Test
  void perTryTimeoutAndTimeoutAnswer504() throws Exception {
    TestBackend slow = mesh.backend("slow").delay(Duration.ofSeconds(3));
    mesh.config("slow.yaml", """
        apiVersion: networking.istio.io/v1beta1
        kind: ServiceEntry
        metadata:
          name: slow
        spec:
          hosts: [slow]
          ports:
          - {number: 80, name: http, protocol: HTTP}
          resolution: STATIC
          endpoints:
          - {address: 127.0.0.1, ports: {http: %d}}
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata:
          name: slow
        spec:
          hosts: [slow]
          http:
          - match:
            - uri: {prefix: /per-try}
            route:
            - destination: {host: slow}
            retries: {attempts: 1, perTryTimeout: 200ms, retryOn: 5xx}
          - route:
            - destination: {host: slow}
            timeout: 300ms
            retries: {attempts: 0}
        """.formatted(slow.port()));
    HttpClient client = mesh.sidecar("caller").proxiedClient();

    long start = System.nanoTime();
    HttpResponse<String> timedOut = get(client, "http://slow/whole");
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(timedOut.statusCode()).isEqualTo(504);
    assertThat(timedOut.body()).contains("timeout");
    assertThat(tookMs).isLessThan(2500);

    int before = slow.requests();
    HttpResponse<String> perTry = get(client, "http://slow/per-try");
    assertThat(perTry.statusCode()).isEqualTo(504);
    assertThat(slow.requests() - before).isEqualTo(2);
  }
}
