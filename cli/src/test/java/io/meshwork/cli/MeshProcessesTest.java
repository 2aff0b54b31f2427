package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.cli.demo.ServiceApp;
import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mesh of real processes, as users run it without Kubernetes: {@code meshwork control-plane},
 * two instances of service-a under {@code meshwork run}, and two caller sidecars. Traffic keeps
 * flowing while an instance dies, while config changes, and while the control plane is down.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshProcessesTest {
  private static final Duration STARTUP = Duration.ofSeconds(60);

  private Path dir;
  private MeshProcesses mesh;
  private Path dataDir;
  private int controlPlanePort;
  private URI controlPlane;
  private MeshProcesses.Proc controlPlaneProcess;
  private final List<MeshProcesses.Proc> instances = new ArrayList<>();
  private final List<HttpClient> callers = new ArrayList<>();

  @BeforeAll
  void startMesh(@TempDir Path tempDir) throws Exception {
    dir = tempDir;
    mesh = new MeshProcesses(dir);
    dataDir = dir.resolve("control-plane");
    controlPlanePort = MeshProcesses.freePort();
    controlPlane = URI.create("https://127.0.0.1:" + controlPlanePort);
    startControlPlane();
    apply("""
        apiVersion: networking.istio.io/v1beta1
        kind: DestinationRule
        metadata: {name: service-a}
        spec:
          host: service-a
          trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: service-a}
        spec:
          hosts: [service-a]
          http:
          - route:
            - destination: {host: service-a}
            retries: {attempts: 3, perTryTimeout: 2s, retryOn: "connect-failure,refused-stream,reset,5xx"}
        """);
    for (String version : List.of("v1", "v2")) {
      int appPort = MeshProcesses.freePort();
      List<String> args = new ArrayList<>(List.of("run", "--service", "service-a", "--app-port", Integer.toString(appPort),
          "--labels", "version=" + version, "--control-plane", controlPlane.toString(), "--data-dir", dataDir.toString(),
          "--"));
      args.addAll(MeshProcesses.java());
      args.addAll(List.of(ServiceApp.class.getName(), "a", Integer.toString(appPort)));
      instances.add(mesh.meshwork("service-a-" + version, args.toArray(String[]::new)));
    }
    for (int i = 1; i <= 2; i++) {
      int httpPort = MeshProcesses.freePort();
      mesh.meshwork("caller-" + i, "sidecar", "--service", "caller-" + i, "--control-plane", controlPlane.toString(),
          "--data-dir", dataDir.toString(), "--http-port", Integer.toString(httpPort), "--io-threads", "1");
      callers.add(HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", httpPort)))
          .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build());
    }
    for (HttpClient caller : callers) {
      mesh.await("both service-a instances through a caller", STARTUP, () -> instancesSeen(caller, 6) == 2);
    }
  }

  @AfterAll
  void stopMesh() {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  @Order(1)
  void callersReachBothInstancesInTurn() throws Exception {
    String previous = null;
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> response = get(callers.get(0));
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("\"service\":\"a\"");
      assertThat(response.body()).isNotEqualTo(previous);
      previous = response.body();
    }
  }

  @Test
  @Order(2)
  void aVirtualServiceAppliedUnderLoadReachesEverySidecar() throws Exception {
    try (Load load = new Load(callers, 4)) {
      Thread.sleep(300);
      long applied = System.nanoTime();
      apply("""
          apiVersion: networking.istio.io/v1beta1
          kind: VirtualService
          metadata: {name: service-a}
          spec:
            hosts: [service-a]
            http:
            - route:
              - destination: {host: service-a}
              headers:
                response:
                  set: {x-route-generation: "2"}
              retries: {attempts: 3, perTryTimeout: 2s, retryOn: "connect-failure,refused-stream,reset,5xx"}
          """);
      mesh.await("the new route at every caller", Duration.ofSeconds(10),
          () -> load.firstSeen.size() == callers.size());
      long slowestMs = load.firstSeen.values().stream().mapToLong(t -> t - applied).max().orElseThrow() / 1_000_000;
      System.out.printf("a VirtualService applied under load reached all %d caller sidecars in %d ms%n",
          callers.size(), slowestMs);
      assertThat(slowestMs).isLessThan(5_000);
      load.stop();
      assertThat(load.failures.get()).as("failed requests during the change: %s", load.failureReasons).isZero();
    }
  }

  @Test
  @Order(3)
  void oneInstanceKilledUnderLoadFailsNoRequest() throws Exception {
    try (Load load = new Load(callers.subList(0, 1), 4)) {
      Thread.sleep(500);
      instances.get(0).kill();
      Thread.sleep(2_000);
      load.stop();
      assertThat(load.ok.get()).isGreaterThan(50);
      assertThat(load.failures.get()).as("failed requests: %s", load.failureReasons).isZero();
    }
  }

  @Test
  @Order(4)
  void theControlPlaneKilledUnderLoadLeavesTrafficFlowingAndKeepsItsStateWhenRestarted() throws Exception {
    try (Load load = new Load(callers, 2)) {
      Thread.sleep(300);
      controlPlaneProcess.kill();
      int okBefore = load.ok.get();
      Thread.sleep(2_000);
      assertThat(load.ok.get()).as("requests served while the control plane is down").isGreaterThan(okBefore + 20);

      startControlPlane();
      try (ControlPlaneClient client = adminClient()) {
        assertThat(client.snapshot().items()).extracting(r -> r.kind().kindName() + "/" + r.name())
            .contains("VirtualService/service-a", "DestinationRule/service-a");
      }
      // The sidecars resume their watch: a change made after the restart reaches them.
      apply("""
          apiVersion: networking.istio.io/v1beta1
          kind: VirtualService
          metadata: {name: service-a}
          spec:
            hosts: [service-a]
            http:
            - route:
              - destination: {host: service-a}
              headers:
                response:
                  set: {x-route-generation: "3"}
          """);
      load.expect("3");
      mesh.await("the change made after the restart at every caller", Duration.ofSeconds(20),
          () -> load.firstSeen.size() == callers.size());
      load.stop();
      assertThat(load.failures.get()).as("failed requests: %s", load.failureReasons).isZero();
    }
  }

  private void startControlPlane() throws InterruptedException {
    controlPlaneProcess = mesh.meshwork("control-plane", "control-plane", "--data-dir", dataDir.toString(),
        "--listen", "127.0.0.1:" + controlPlanePort);
    mesh.await("the control plane", STARTUP, () -> {
      if (!Files.isRegularFile(dataDir.resolve("admin-token"))) {
        return false;
      }
      try (ControlPlaneClient client = adminClient()) {
        return client.healthy();
      } catch (RuntimeException e) {
        return false;
      }
    });
  }

  private ControlPlaneClient adminClient() {
    AdminCredential admin = AdminCredential.find(name -> null, dataDir);
    return new ControlPlaneClient(controlPlane,
        new ControlPlaneAuth(admin.token(), ControlPlaneAuth.trusting(dataDir.resolve("ca.pem"))));
  }

  private void apply(String yaml) {
    ParseResult parsed = ResourceParser.parse("test.yaml", yaml);
    assertThat(parsed.errors()).isEmpty();
    try (ControlPlaneClient client = adminClient()) {
      client.applyAll(parsed.resources());
    }
  }

  private static HttpResponse<String> get(HttpClient caller) throws IOException, InterruptedException {
    return caller.send(HttpRequest.newBuilder(URI.create("http://service-a/")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int instancesSeen(HttpClient caller, int tries) {
    Set<String> bodies = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < tries; i++) {
      try {
        HttpResponse<String> r = get(caller);
        if (r.statusCode() == 200) {
          bodies.add(r.body());
        }
      } catch (IOException | InterruptedException e) {
        return 0;
      }
    }
    return bodies.size();
  }

  /** Requests sent back to back through the callers, counting what came back. */
  private static final class Load implements AutoCloseable {
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final Map<String, Integer> failureReasons = new ConcurrentHashMap<>();
    /** Caller index → when a response first carried the expected route generation. */
    final Map<Integer, Long> firstSeen = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile String expected = "2";
    private final AtomicLong sent = new AtomicLong();

    Load(List<HttpClient> callers, int perCaller) {
      for (int c = 0; c < callers.size(); c++) {
        int index = c;
        HttpClient caller = callers.get(c);
        for (int t = 0; t < perCaller; t++) {
          threads.submit(() -> loop(index, caller));
        }
      }
    }

    void expect(String generation) {
      firstSeen.clear();
      expected = generation;
    }

    private void loop(int index, HttpClient caller) {
      while (running.get()) {
        sent.incrementAndGet();
        try {
          HttpResponse<String> r = get(caller);
          if (r.statusCode() == 200) {
            ok.incrementAndGet();
            if (r.headers().firstValue("x-route-generation").filter(expected::equals).isPresent()) {
              firstSeen.putIfAbsent(index, System.nanoTime());
            }
          } else {
            failures.incrementAndGet();
            failureReasons.merge("HTTP " + r.statusCode() + " " + r.body().strip(), 1, Integer::sum);
          }
        } catch (IOException e) {
          failures.incrementAndGet();
          failureReasons.merge(e.toString(), 1, Integer::sum);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      threads.shutdown();
      threads.awaitTermination(15, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
