package io.meshwork.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * grpc-java's interop suite against its TestServiceServer, through one {@link Topology}: one test per case and
 * client transport. The topology's processes start once per class; each transport's client runs every case in
 * order in one process ({@link CaseRunner}) while the tests read their outcomes.
 *
 * <p>A case in {@link InteropCases#SKIPPED} is skipped with its reason; a case in {@link KnownFailures#ISSUE_7} must
 * still fail; one in {@link KnownFailures#UNSTABLE} is reported, a failure as skipped; every other case must pass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InteropSuite {
  static final Duration STARTUP = Duration.ofSeconds(90);
  private static final Path REPORTS = Path.of(System.getProperty("interop.report.dir", "target/conformance"));

  Processes processes;
  private final Map<Transport, InteropRun> runs = new EnumMap<>(Transport.class);
  private int clientPort;
  private final Map<String, String> matrix = new ConcurrentHashMap<>();

  abstract Topology topology();

  /** Starts what lies between the client and the server on {@code serverPort}; the port the client dials. */
  abstract int startPath(Processes processes, int serverPort) throws Exception;

  @BeforeAll
  void startTopology(@TempDir Path dir) throws Exception {
    processes = new Processes(dir);
    int serverPort = Processes.freePort();
    processes.grpcJava("test-service-server", "io.grpc.testing.integration.TestServiceServer",
        List.of("--port=" + serverPort, "--use_tls=false"));
    processes.await("TestServiceServer on port " + serverPort, STARTUP, () -> Processes.listening(serverPort));
    clientPort = startPath(processes, serverPort);
  }

  /**
   * The run of {@code transport}, started once the previous transport's run has ended: the two clients never
   * share the sidecars at the same time, so what one case does to the sidecars' connections is the same in every
   * build (issue 7's stalls depend on what came before on a connection).
   */
  private synchronized InteropRun run(Transport transport) throws InterruptedException {
    InteropRun run = runs.get(transport);
    if (run == null) {
      for (InteropRun earlier : runs.values()) {
        earlier.awaitExit();
      }
      run = InteropRun.start(processes, topology(), transport, clientPort);
      runs.put(transport, run);
    }
    return run;
  }

  @AfterAll
  void stopTopology() throws IOException {
    if (processes != null) {
      processes.close();
    }
    if (!matrix.isEmpty()) {
      Files.createDirectories(REPORTS);
      List<String> lines = new ArrayList<>();
      for (Transport transport : Transport.values()) {
        for (String name : InteropCases.ALL) {
          String outcome = matrix.get(transport + " " + name);
          if (outcome != null) {
            lines.add(transport + " " + name + " " + outcome);
          }
        }
      }
      Files.write(REPORTS.resolve(topology().name().toLowerCase() + ".txt"), lines);
    }
  }

  Stream<Arguments> cases() {
    return Stream.of(Transport.values())
        .flatMap(transport -> InteropCases.ALL.stream().map(name -> Arguments.of(name, transport)));
  }

  @ParameterizedTest(name = "{1} {0}")
  @MethodSource("cases")
  void interopCase(String name, Transport transport) throws Exception {
    String skip = InteropCases.SKIPPED.get(name);
    if (skip != null) {
      matrix.put(transport + " " + name, "SKIP");
    }
    assumeTrue(skip == null, () -> name + ": " + skip);
    InteropRun run = run(transport);
    CaseRunner.Outcome outcome = run.await(name);
    matrix.put(transport + " " + name, (outcome.passed() ? "PASS" : "FAIL") + " " + outcome.millis() + "ms"
        + (outcome.passed() ? "" : " " + outcome.reason()));
    if (KnownFailures.unstable(topology(), transport, name)) {
      assumeTrue(outcome.passed(), () -> name + " over " + run.describe() + " is known unstable (issue 7) and failed"
          + " this run: " + outcome.reason());
    } else if (KnownFailures.listed(topology(), transport, name)) {
      assertThat(outcome.passed())
          .as("%s over %s is listed in KnownFailures (issue 7) but passes now: remove it from the list", name,
              run.describe())
          .isFalse();
    } else {
      assertThat(outcome.passed())
          .as("%s over %s: %s%n--- client log ---%n%s%s", name, run.describe(), outcome.reason(), run.logTail(),
              processes.logs())
          .isTrue();
    }
  }
}
