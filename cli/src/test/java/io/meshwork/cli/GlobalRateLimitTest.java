package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * GLOBAL rate limits through real sidecars, each with its own app, registered with a real control plane: three
 * instances of one service share one budget, counted by the control plane's memory or by a real redis-server shared
 * by two control-plane replicas; counters that go away let requests through (or refuse them, with DENY) at once.
 */
@Timeout(120)
class GlobalRateLimitTest {
  static final String POLICIES = """
      apiVersion: meshwork.io/v1alpha1
      kind: RateLimitPolicy
      metadata: {name: orders-open, namespace: shop}
      spec:
        scope: GLOBAL
        requestsPerUnit: 30
        unit: HOUR
        per: {header: x-tenant}
        match: [{uri: {prefix: /open/}}]
      ---
      apiVersion: meshwork.io/v1alpha1
      kind: RateLimitPolicy
      metadata: {name: orders-closed, namespace: shop}
      spec:
        scope: GLOBAL
        failureMode: DENY
        requestsPerUnit: 1000
        unit: HOUR
        per: {header: x-tenant}
        match: [{uri: {prefix: /closed/}}]
      """;

  @TempDir Path data;
  final List<AutoCloseable> open = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  Process redis;

  @AfterEach
  void closeAll() throws Exception {
    http.close();
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    if (redis != null) {
      redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  ControlPlane plane(String dir, URI redisAddress) throws Exception {
    ControlPlaneSettings settings = new ControlPlaneSettings(data.resolve(dir),
        new InetSocketAddress("127.0.0.1", 0));
    ControlPlane plane = track(ControlPlane.start(redisAddress == null ? settings
        : settings.withRateLimitRedis(redisAddress)));
    try (ControlPlaneClient admin = new ControlPlaneClient(URI.create(plane.url()),
        new ControlPlaneAuth(Files.readString(plane.adminTokenFile()).strip(),
            ControlPlaneAuth.trusting(plane.trustBundleFile())))) {
      admin.applyAll(ResourceParser.parse("policies.yaml", POLICIES).resources());
    }
    return plane;
  }

  /** One instance of orders: its app and its sidecar, joined to {@code plane}; returns the inbound port. */
  int instance(ControlPlane plane) throws Exception {
    HttpServer app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    app.createContext("/", exchange -> {
      byte[] body = ("orders " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    app.start();
    open.add(() -> app.stop(0));
    ControlPlaneClient client = track(new ControlPlaneClient(URI.create(plane.url()),
        new ControlPlaneAuth(plane.joinToken("orders", "shop", Duration.ofHours(1)),
            ControlPlaneAuth.trusting(plane.trustBundleFile()))));
    SidecarRuntime sidecar = track(SidecarRuntime.fromControlPlane(new SidecarSettings("orders", "shop",
        URI.create("http://127.0.0.1:" + app.getAddress().getPort()), "127.0.0.1", 0, 0, 0, Map.of(), 1),
        client, plane.url(), Map.of()));
    return sidecar.sidecar().inboundPort();
  }

  HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return get(port, path, "acme");
  }

  HttpResponse<String> get(int port, String path, String tenant) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("x-tenant", tenant).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * One request per instance on a budget of its own, so that each sidecar holds its connection to the control plane
   * before the count starts (a lease that would wait for a first TLS handshake on a busy machine could pass its
   * deadline, and the request would fail open).
   */
  void warmUp(List<Integer> ports) throws Exception {
    for (int port : ports) {
      assertThat(get(port, "/open/warm", "warm-up-" + port).statusCode()).isEqualTo(200);
    }
  }

  /** Sends {@code perInstance} requests to each port in turn; returns how many were let through. */
  int admitted(List<Integer> ports, String path, int perInstance) throws Exception {
    int ok = 0;
    for (int i = 0; i < perInstance * ports.size(); i++) {
      HttpResponse<String> r = get(ports.get(i % ports.size()), path + i);
      if (r.statusCode() == 200) {
        ok++;
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        assertThat(r.headers().firstValue("ratelimit-policy")).hasValue("\"orders-open\";q=30;w=3600");
        assertThat(r.headers().firstValue("retry-after")).isPresent();
      }
    }
    return ok;
  }

  /** Both failure modes, timed: no request waits for counters that are gone. */
  void failureModes(List<Integer> ports) throws Exception {
    for (int port : ports) {
      for (int i = 0; i < 5; i++) {
        long start = System.nanoTime();
        // A tenant whose budget this sidecar holds no share of: it needs the counters, which are gone.
        assertThat(get(port, "/open/down" + i, "tenant-" + i).statusCode()).isEqualTo(200);
        HttpResponse<String> closed = get(port, "/closed/down" + i, "tenant-" + i);
        assertThat(closed.statusCode()).as(closed.body()).isEqualTo(503);
        assertThat(closed.headers().firstValue("x-meshwork-error")).hasValue("rate_limit_unavailable");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
      }
    }
  }

  @Test
  void threeInstancesShareOneBudgetInTheControlPlaneAndFailOpenWhenItIsGone() throws Exception {
    ControlPlane plane = plane("cp", null);
    List<Integer> ports = List.of(instance(plane), instance(plane), instance(plane));
    warmUp(ports);

    assertThat(admitted(ports, "/open/", 20)).isEqualTo(30);
    assertThat(get(ports.getFirst(), "/closed/up").statusCode()).isEqualTo(200);

    plane.close();
    failureModes(ports);
  }

  @Test
  void twoControlPlanesSharingRedisKeepOneBudgetAndRedisGoingAwayFailsOpenThenRecovers() throws Exception {
    int redisPort = startRedis();
    URI address = URI.create("redis://127.0.0.1:" + redisPort);
    ControlPlane first = plane("cp1", address);
    ControlPlane second = plane("cp2", address);
    List<Integer> ports = List.of(instance(first), instance(first), instance(second));
    warmUp(ports);

    assertThat(admitted(ports, "/open/", 20)).isEqualTo(30);
    assertThat(get(ports.get(2), "/closed/up").statusCode()).isEqualTo(200);

    redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    failureModes(ports);

    startRedis(redisPort);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int status;
    do {
      TimeUnit.MILLISECONDS.sleep(200);
      status = get(ports.get(2), "/closed/again").statusCode();
    } while (status != 200 && System.nanoTime() < deadline);
    assertThat(status).isEqualTo(200);
  }

  private int startRedis() throws Exception {
    assumeTrue(onPath("redis-server"), "redis-server is not installed (scripts/ensure-tools.sh installs it)");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    return startRedis(port);
  }

  private int startRedis(int port) throws Exception {
    Path log = data.resolve("redis-" + System.nanoTime() + ".log");
    redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return port;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("redis-server did not start: " + Files.readString(log));
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
