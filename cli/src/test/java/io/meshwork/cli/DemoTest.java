package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshwork demo} as a user runs it: a real process tree, reached with HTTP, stopped with SIGTERM. */
class DemoTest {
  private static final Pattern FRONTEND = Pattern.compile("frontend on port (\\d+)");

  @Test
  void theDemoMeshAnswersAsTheVproxyExampleAndStopsCleanly(@TempDir Path dir) throws Exception {
    List<String> command = new ArrayList<>(MeshProcesses.java());
    command.addAll(List.of(Main.class.getName(), "demo", "--port", "0", "--work-dir", dir.resolve("demo").toString()));
    Path out = dir.resolve("demo.out");
    Process demo = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      int port = awaitFrontendPort(demo, out);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      Set<String> instances = new HashSet<>();
      String previous = null;
      for (int i = 0; i < 6; i++) {
        String body = get(http, port, "/service-a");
        assertThat(body).matches("\\{\"service\":\"a\",\"host\":\"[^\"]+\",\"port\":\\d+}\\s*");
        assertThat(body).as("round robin alternates between the two instances").isNotEqualTo(previous);
        previous = body;
        instances.add(body);
      }
      assertThat(instances).hasSize(2);
      assertThat(get(http, port, "/service-b")).startsWith("{\"service\":\"b\"");

      List<ProcessHandle> children = demo.descendants().toList();
      assertThat(children).hasSizeGreaterThanOrEqualTo(9);
      demo.destroy();
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo stops on SIGTERM").isTrue();
      for (ProcessHandle child : children) {
        child.onExit().get(30, TimeUnit.SECONDS);
      }
      assertThat(children).noneMatch(ProcessHandle::isAlive);
      assertThat(Files.readString(out)).contains("stopping the demo");
    } finally {
      demo.descendants().forEach(ProcessHandle::destroyForcibly);
      demo.destroyForcibly();
    }
  }

  @Test
  void theDemosProcessesDieWithItWhenItIsKilledWithSigkill(@TempDir Path dir) throws Exception {
    List<String> command = new ArrayList<>(MeshProcesses.java());
    command.addAll(List.of(Main.class.getName(), "demo", "--port", "0", "--work-dir", dir.resolve("demo").toString()));
    Path out = dir.resolve("demo.out");
    Process demo = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      // The control plane, four 'meshwork run's and their four apps (which only start once their sidecar is up).
      // On a loaded machine a run may give up on its control plane: then the apps that did start must do.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      List<ProcessHandle> apps = List.of();
      while (apps.size() < 4 && (apps.isEmpty() || System.nanoTime() < deadline)) {
        if (!demo.isAlive() || System.nanoTime() > deadline + TimeUnit.SECONDS.toNanos(60)) {
          throw new AssertionError("no app of the demo started:\n" + Files.readString(out));
        }
        Thread.sleep(200);
        apps = demo.descendants().filter(p -> {
          // An app's own JVM, not the 'meshwork run' whose command line names it after --.
          String c = commandLine(p);
          return (c.contains(".demo.ServiceApp") || c.contains(".demo.FrontendApp")) && !c.contains(" run ");
        }).toList();
      }
      List<ProcessHandle> tree = demo.descendants().toList();
      assertThat(demo.children().count()).as("the control plane and the 'meshwork run's").isGreaterThan(1);
      assertThat(tree).containsAll(apps).hasSizeGreaterThan(apps.size() + 1);
      System.out.printf("SIGKILL to meshwork demo with %d processes below it (%d apps)%n", tree.size(), apps.size());

      demo.destroyForcibly();
      assertThat(demo.waitFor(10, TimeUnit.SECONDS)).isTrue();

      long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (tree.stream().anyMatch(RunLifecycleTest::running) && System.nanoTime() < gone) {
        Thread.sleep(100);
      }
      assertThat(tree).as("the demo's children and their apps, after SIGKILL to the demo")
          .noneMatch(RunLifecycleTest::running);
    } finally {
      demo.descendants().forEach(ProcessHandle::destroyForcibly);
      demo.destroyForcibly();
    }
  }

  /** The whole command line: ProcessHandle.Info cuts it at 4 KiB, before a long class path ends. */
  private static String commandLine(ProcessHandle p) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static int awaitFrontendPort(Process demo, Path out) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      String text = Files.exists(out) ? Files.readString(out) : "";
      Matcher m = FRONTEND.matcher(text);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!demo.isAlive()) {
        throw new AssertionError("the demo exited early:\n" + text);
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the demo did not come up:\n" + Files.readString(out));
  }

  private static String get(HttpClient http, int port, String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }
}
