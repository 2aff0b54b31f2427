package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.model.Kind;
import io.meshwork.model.networking.WorkloadEntry;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code meshwork run} ends, with real processes: a runner killed with SIGKILL takes its app with it, and a
 * runner sent SIGTERM withdraws the app's registration at once, before it stops the app (which here ignores
 * SIGTERM, so it is killed when the grace period is over). And what the app finds in its environment: curl,
 * run as the app, takes HTTPS_PROXY to the sidecar and tunnels with CONNECT.
 */
@Timeout(120)
class RunLifecycleTest {
  private static final Pattern APP_PID = Pattern.compile("stubborn app: listening on \\d+ as pid (\\d+)");
  private static final Duration STARTUP = Duration.ofSeconds(60);

  @TempDir Path dir;
  private ControlPlane plane;
  private ControlPlaneClient admin;
  private MeshProcesses processes;
  private final List<ProcessHandle> apps = new ArrayList<>();

  @BeforeEach
  void startControlPlane() throws IOException {
    plane = ControlPlane.start(new ControlPlaneSettings(dir.resolve("control-plane"),
        new InetSocketAddress("127.0.0.1", 0)));
    admin = new ControlPlaneClient(URI.create(plane.url()), new ControlPlaneAuth(
        Files.readString(plane.adminTokenFile()).strip(), ControlPlaneAuth.trusting(plane.trustBundleFile())));
    processes = new MeshProcesses(dir);
  }

  @AfterEach
  void stopAll() {
    processes.close();
    apps.forEach(ProcessHandle::destroyForcibly);
    admin.close();
    plane.close();
  }

  @Test
  void anAppDiesWithItsRunnerKilledWithSigkill() throws Exception {
    MeshProcesses.Proc runner = run("sigkilled", "10s");
    ProcessHandle app = awaitApp(runner);
    awaitRegistered("sigkilled");
    assertThat(runner.logText()).doesNotContain("setpriv (util-linux >= 2.33) not found");

    runner.process().destroyForcibly();
    assertThat(runner.process().waitFor(10, TimeUnit.SECONDS)).isTrue();

    processes.await("the app to die with its runner", Duration.ofSeconds(10), () -> !running(app));
  }

  @Test
  void sigtermWithdrawsTheRegistrationBeforeTheAppIsStopped() throws Exception {
    MeshProcesses.Proc runner = run("stubborn", "8s");
    ProcessHandle app = awaitApp(runner);
    awaitRegistered("stubborn");

    long signalled = System.nanoTime();
    runner.process().destroy();
    processes.await("the registration to go", Duration.ofSeconds(6), () -> entry("stubborn").isEmpty());
    long withdrawnMs = (System.nanoTime() - signalled) / 1_000_000;
    boolean appAliveThen = running(app);
    System.out.printf("meshwork run: registration withdrawn %d ms after SIGTERM, app still running: %s%n",
        withdrawnMs, appAliveThen);
    assertThat(appAliveThen).as("the app still runs (it ignores SIGTERM; its grace is 8s) when peers lose it")
        .isTrue();

    assertThat(runner.process().waitFor(40, TimeUnit.SECONDS)).as("the runner ends after the grace period").isTrue();
    processes.await("the app to be killed", Duration.ofSeconds(10), () -> !running(app));
    assertThat(runner.logText()).contains("stubborn app: ignoring SIGTERM")
        .contains("stubborn did not exit within 8s of SIGTERM; killing it");
  }

  @Test
  void theAppsHttpsCallsTunnelThroughItsSidecarWithHttpsProxy() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
    // A host outside the mesh (not in NO_PROXY, which names localhost and 127.0.0.1); it accepts and hangs up, so
    // curl's TLS handshake fails after the tunnel opened: what counts is that the CONNECT went through the sidecar.
    try (java.net.ServerSocket outside = new java.net.ServerSocket(0, 8, java.net.InetAddress.getByName("127.0.0.2"))) {
      Thread acceptor = Thread.ofVirtual().start(() -> {
        try (java.net.Socket s = outside.accept()) {
          s.getInputStream().read();
        } catch (IOException e) {
          // the runner's output below tells
        }
      });
      Path out = dir.resolve("curl.out");
      int appPort = MeshProcesses.freePort();
      String script = "printf '%s %s\\n' \"$HTTPS_PROXY\" \"$https_proxy\" > " + out + "; curl -s -o /dev/null"
          + " --max-time 15 -w '%{http_connect}' https://127.0.0.2:" + outside.getLocalPort() + "/ >> " + out
          + "; exit 0";
      MeshProcesses.Proc runner = processes.meshwork("https-app", "run", "--service", "https-app", "--app-port",
          Integer.toString(appPort), "--control-plane", plane.url(), "--data-dir",
          dir.resolve("control-plane").toString(), "--", "sh", "-c", script);
      assertThat(runner.process().waitFor(60, TimeUnit.SECONDS)).as(runner.logText()).isTrue();
      List<String> lines = Files.readAllLines(out);
      assertThat(lines).as(runner.logText()).hasSize(2);
      assertThat(lines.get(0)).as("HTTPS_PROXY and https_proxy name the sidecar's HTTP port")
          .matches("http://127\\.0\\.0\\.1:\\d+ http://127\\.0\\.0\\.1:\\d+");
      assertThat(lines.get(1)).as("curl's CONNECT through the sidecar was answered 200").isEqualTo("200");
      acceptor.join(5_000);
    }
  }

  private MeshProcesses.Proc run(String service, String grace) {
    int appPort = MeshProcesses.freePort();
    List<String> args = new ArrayList<>(List.of("run", "--service", service, "--app-port", Integer.toString(appPort),
        "--control-plane", plane.url(), "--data-dir", dir.resolve("control-plane").toString(),
        "--shutdown-grace", grace, "--"));
    args.addAll(MeshProcesses.java());
    args.addAll(List.of(StubbornApp.class.getName(), Integer.toString(appPort)));
    return processes.meshwork(service, args.toArray(String[]::new));
  }

  private ProcessHandle awaitApp(MeshProcesses.Proc runner) throws InterruptedException {
    long[] pid = {-1};
    processes.await("the app to start under " + runner.name(), STARTUP, () -> {
      Matcher m = APP_PID.matcher(runner.logText());
      if (m.find()) {
        pid[0] = Long.parseLong(m.group(1));
        return true;
      }
      return false;
    });
    ProcessHandle app = ProcessHandle.of(pid[0]).orElseThrow();
    apps.add(app);
    assertThat(runner.process().descendants()).as("the app is the runner's own child").contains(app);
    return app;
  }

  private void awaitRegistered(String service) throws InterruptedException {
    processes.await(service + " registered", STARTUP, () -> entry(service).isPresent());
  }

  private Optional<String> entry(String service) {
    return admin.list(Kind.WORKLOAD_ENTRY, "default").items().stream()
        .filter(r -> service.equals(((WorkloadEntry) r.spec()).labels().get("app")))
        .map(r -> r.name())
        .findFirst();
  }

  /** Whether the process runs: a zombie (killed, not yet reaped by whoever adopted it) does not. */
  static boolean running(ProcessHandle process) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // pid (comm) STATE ...; comm may hold spaces and parentheses, so the state follows the last ')'.
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }
}
