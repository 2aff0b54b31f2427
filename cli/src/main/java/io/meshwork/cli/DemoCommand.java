package io.meshwork.cli;

import io.meshwork.cli.demo.FrontendApp;
import io.meshwork.cli.demo.ServiceApp;
import io.meshwork.model.ParseResult;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import io.meshwork.proxy.discovery.ControlPlaneException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshwork demo}: the vproxy service-mesh example on this machine, run the way users run a
 * mesh without Kubernetes: a control plane, then every app started with {@code meshwork run}, which
 * gives it a sidecar that registers it. The frontend reaches the services by name through its sidecar.
 */
@Command(
    name = "demo",
    description = {
      "Runs a small mesh on this machine, to try Meshwork.",
      "A control plane, a frontend on port 8080 that calls service-a (two instances) and service-b by",
      "name, every app started with 'meshwork run'. Try: curl localhost:8080/service-a"
    },
    mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final List<String> CHILD_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
      "-Xmx256m");

  @Option(names = "--port", defaultValue = "8080", paramLabel = "P",
      description = "The frontend's port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where the demo keeps the control plane's data, the example YAML and the logs"
          + " (default: a new temporary folder).")
  Path workDir;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private record Instance(String service, String app, String version, int appPort) {
    String logName(int n) {
      return service + "-" + n;
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    int frontendPort = port == 0 ? freePort() : port;
    if (!portIsFree(frontendPort)) {
      throw new UserError("--port: " + frontendPort + " is in use (expected: a free port for the frontend; try --port 0)");
    }
    Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("meshwork-demo-");
    Path dataDir = dir.resolve("control-plane");
    Path logs = Files.createDirectories(dir.resolve("logs"));
    int controlPlanePort = freePort();
    URI controlPlane = URI.create("https://127.0.0.1:" + controlPlanePort);

    ChildProcesses children = new ChildProcesses(logs, CHILD_JVM);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println();
      out.println("stopping the demo...");
      out.flush();
      children.stopAll(Duration.ofSeconds(15));
      stopped.countDown();
    }, "meshwork-demo-shutdown"));

    out.printf("starting the demo mesh in %s%n", dir);
    if (!ParentDeath.get().available()) {
      out.println("note: " + ParentDeath.get().notice());
    }
    out.flush();
    children.meshwork("control-plane", Map.of(), "control-plane", "--data-dir", dataDir.toString(),
        "--listen", "127.0.0.1:" + controlPlanePort);
    Path caFile = dataDir.resolve(AdminCredential.CA_FILE);
    awaitFile(caFile, dataDir.resolve(AdminCredential.TOKEN_FILE), logs);
    AdminCredential admin = AdminCredential.find(name -> null, dataDir);
    try (ControlPlaneClient client = new ControlPlaneClient(controlPlane,
        new ControlPlaneAuth(admin.token(), ControlPlaneAuth.trusting(caFile)))) {
      awaitControlPlane(client, logs);
      apply(client, Files.writeString(dir.resolve("destination-rules.yaml"), DESTINATION_RULES));
    }
    Files.writeString(dir.resolve("canary.yaml"), CANARY);

    List<Instance> instances = List.of(
        new Instance("service-a", "a", "v1", freePort()),
        new Instance("service-a", "a", "v2", freePort()),
        new Instance("service-b", "b", "v1", freePort()));
    int n = 0;
    for (Instance i : instances) {
      children.meshwork(i.logName(++n), Map.of(), runArgs(i.service(), i.appPort(), i.version(), controlPlane, dataDir,
          ServiceApp.class.getName(), i.app(), Integer.toString(i.appPort())));
    }
    children.meshwork("frontend", Map.of(), runArgs("frontend", frontendPort, "v1", controlPlane, dataDir,
        FrontendApp.class.getName(), Integer.toString(frontendPort)));

    awaitMesh(frontendPort, logs);

    String cp = "--control-plane " + controlPlane + " --data-dir " + dataDir;
    out.printf("%nthe demo mesh is up: a control plane, frontend on port %d, service-a x2 (v1, v2), service-b;%n",
        frontendPort);
    out.printf("every app runs under 'meshwork run', with its own sidecar%n%n");
    out.printf("  curl localhost:%d/service-a     # alternates between the two service-a instances%n", frontendPort);
    out.printf("  curl localhost:%d/service-b%n", frontendPort);
    out.printf("  ./meshwork get workloadentries %s%n", cp);
    out.printf("%nthen send 90%% of service-a to v1 and 10%% to v2 (all of it with header x-canary: true):%n");
    out.printf("  ./meshwork apply -f %s %s%n", dir.resolve("canary.yaml"), cp);
    out.printf("  curl -H 'x-canary: true' localhost:%d/service-a%n", frontendPort);
    out.printf("%nlogs: %s%npress Ctrl-C to stop%n", logs);
    out.flush();
    stopped.await();
    return ExitCode.OK;
  }

  private static String[] runArgs(String service, int appPort, String version, URI controlPlane, Path dataDir,
      String appMain, String... appArgs) {
    List<String> args = new ArrayList<>(List.of("run", "--service", service, "--app-port", Integer.toString(appPort),
        "--labels", "version=" + version, "--control-plane", controlPlane.toString(), "--data-dir", dataDir.toString(),
        "--"));
    args.add(ChildProcesses.javaBinary());
    args.addAll(CHILD_JVM);
    args.addAll(List.of("-cp", System.getProperty("java.class.path"), appMain));
    args.addAll(List.of(appArgs));
    return args.toArray(String[]::new);
  }

  private static void apply(ControlPlaneClient client, Path file) throws IOException {
    ParseResult parsed = ResourceParser.parse(file);
    if (parsed.hasErrors()) {
      throw new IllegalStateException("the demo's own YAML is invalid: " + parsed.report());
    }
    client.applyAll(parsed.resources());
  }

  private static void awaitFile(Path first, Path second, Path logs) throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!(Files.isRegularFile(first) && Files.isRegularFile(second))) {
      if (System.nanoTime() > deadline) {
        throw notReady("the control plane did not write " + first, logs);
      }
      Thread.sleep(100);
    }
  }

  private static void awaitControlPlane(ControlPlaneClient client, Path logs) throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      try {
        if (client.healthy()) {
          return;
        }
      } catch (ControlPlaneException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw notReady("the control plane did not answer", logs);
      }
      Thread.sleep(100);
    }
  }

  /** Waits until the frontend reaches both service-a instances and service-b through the mesh. */
  private static void awaitMesh(int frontendPort, Path logs) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Set<String> seenA = new HashSet<>();
    boolean sawB = false;
    while (seenA.size() < 2 || !sawB) {
      if (System.nanoTime() > deadline) {
        throw notReady("the frontend did not reach both service-a instances and service-b", logs);
      }
      String a = get(http, "http://127.0.0.1:" + frontendPort + "/service-a");
      if (a != null && a.contains("\"service\":\"a\"")) {
        seenA.add(a);
      }
      String b = get(http, "http://127.0.0.1:" + frontendPort + "/service-b");
      sawB |= b != null && b.contains("\"service\":\"b\"");
      Thread.sleep(seenA.size() < 2 || !sawB ? 200 : 0);
    }
  }

  private static String get(HttpClient http, String url) throws InterruptedException {
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static UserError notReady(String what, Path logs) {
    return new UserError(what + " within " + READY_TIMEOUT.toSeconds() + "s; see the logs in " + logs);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean portIsFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("0.0.0.0", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static final String DESTINATION_RULES = """
      # service-a's two instances, by version; in turn (ROUND_ROBIN) rather than Istio's default LEAST_REQUEST,
      # so that the demo alternates visibly.
      apiVersion: networking.istio.io/v1beta1
      kind: DestinationRule
      metadata:
        name: service-a
      spec:
        host: service-a
        trafficPolicy:
          loadBalancer:
            simple: ROUND_ROBIN
        subsets:
        - name: v1
          labels: {version: v1}
        - name: v2
          labels: {version: v2}
      """;

  private static final String CANARY = """
      # A canary release of service-a: requests with x-canary: true go to v2, the rest 90/10.
      apiVersion: networking.istio.io/v1beta1
      kind: VirtualService
      metadata:
        name: service-a
      spec:
        hosts: [service-a]
        http:
        - match:
          - headers:
              x-canary: {exact: "true"}
          route:
          - destination: {host: service-a, subset: v2}
        - route:
          - destination: {host: service-a, subset: v1}
            weight: 90
          - destination: {host: service-a, subset: v2}
            weight: 10
          retries: {attempts: 3, perTryTimeout: 2s, retryOn: "connect-failure,refused-stream,5xx"}
          timeout: 10s
      """;
}
