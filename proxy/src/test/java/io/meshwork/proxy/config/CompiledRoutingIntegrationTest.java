package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.proxy.cluster.Endpoint;
import io.meshwork.proxy.cluster.HashPolicy;
import io.meshwork.proxy.route.RouteDecision;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * From files to sockets: workloads registered in a config directory point at real HTTP servers on
 * 127.0.0.1; the compiled snapshot routes and balances requests, and each pick is called for real.
 */
class CompiledRoutingIntegrationTest {
  @TempDir Path dir;
  private final List<HttpServer> servers = new ArrayList<>();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private int backend(String name) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = name.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    servers.add(server);
    return server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    servers.forEach(s -> s.stop(0));
    client.close();
  }

  private static String workload(String name, String version, int port) {
    return """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: %s, namespace: shop}
        spec:
          address: 127.0.0.1
          ports: {http: %d}
          labels: {app: reviews, version: %s}
        ---
        """.formatted(name, port, version);
  }

  private String call(MeshSnapshot snapshot, HttpRequest request, double random) throws Exception {
    RouteDecision.Matched matched = (RouteDecision.Matched) snapshot.outbound().route(request, "reviews", 0, "/", random);
    long hash = matched.cluster().hashPolicy().hash(request, new InetSocketAddress("127.0.0.1", 50000));
    Endpoint endpoint = matched.cluster().pick(hash, hash != HashPolicy.NO_HASH, Set.of());
    endpoint.requestStarted();
    try {
      URI uri = URI.create("http://" + endpoint.authority() + "/");
      return client.send(java.net.http.HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    } finally {
      endpoint.requestFinished();
    }
  }

  @Test
  void weightedSubsetsAndHeaderRoutingReachTheRightBackends() throws Exception {
    Files.writeString(dir.resolve("workloads.yaml"),
        workload("reviews-v1-a", "v1", backend("v1-a")) + workload("reviews-v1-b", "v1", backend("v1-b"))
            + workload("reviews-v2", "v2", backend("v2")));
    Files.writeString(dir.resolve("routing.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: shop}
        spec:
          hosts: [reviews]
          http:
          - match: [{headers: {x-canary: {exact: "true"}}}]
            route: [{destination: {host: reviews, subset: v2}}]
          - route:
            - {destination: {host: reviews, subset: v1}, weight: 80}
            - {destination: {host: reviews, subset: v2}, weight: 20}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """);
    MeshSnapshot snapshot;
    try (FileConfigSource source = new FileConfigSource(dir, new LocalService("web", "shop"), new SnapshotCompiler(), s -> { })) {
      snapshot = source.loadInitial();
    }
    Map<String, Integer> answers = new HashMap<>();
    Random random = new Random(1);
    HttpRequest plain = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    for (int i = 0; i < 200; i++) {
      answers.merge(call(snapshot, plain, random.nextDouble()), 1, Integer::sum);
    }
    // 80 % to v1, alternating between its two instances; 20 % to v2.
    assertThat(answers.get("v1-a") + answers.get("v1-b")).isBetween(140, 180);
    assertThat(Math.abs(answers.get("v1-a") - answers.get("v1-b"))).isLessThanOrEqualTo(1);
    assertThat(answers.get("v2")).isBetween(20, 60);

    HttpRequest canary = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    canary.headers().set("x-canary", "true");
    for (int i = 0; i < 10; i++) {
      assertThat(call(snapshot, canary, random.nextDouble())).isEqualTo("v2");
    }
  }

  @Test
  void consistentHashKeepsAUserOnOneBackend() throws Exception {
    Files.writeString(dir.resolve("workloads.yaml"),
        workload("r1", "v1", backend("one")) + workload("r2", "v1", backend("two")) + workload("r3", "v1", backend("three")));
    Files.writeString(dir.resolve("rule.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          trafficPolicy:
            loadBalancer:
              consistentHash: {httpHeaderName: x-user}
        """);
    MeshSnapshot snapshot = new FileConfigSource(dir, new LocalService("web", "shop"), new SnapshotCompiler(), s -> { })
        .loadInitial();
    Set<String> seen = new java.util.HashSet<>();
    for (int user = 0; user < 30; user++) {
      HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
      request.headers().set("x-user", "user-" + user);
      String first = call(snapshot, request, 0.5);
      assertThat(call(snapshot, request, 0.5)).isEqualTo(first);
      assertThat(call(snapshot, request, 0.5)).isEqualTo(first);
      seen.add(first);
    }
    assertThat(seen).containsExactlyInAnyOrder("one", "two", "three");
  }
}
