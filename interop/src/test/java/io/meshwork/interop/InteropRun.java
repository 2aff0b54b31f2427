package io.meshwork.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@link CaseRunner} process: every runnable case, in order, with one client transport against one port. The
 * tests wait here for the line of their case.
 */
final class InteropRun {
  /** Time a case that is expected to pass may take (very_large_request and the soaks on a loaded machine). */
  static final long PASSING_CASE_SECONDS = Long.getLong("interop.case.seconds", 90);
  /**
   * Time a listed known failure gets before it counts as stalled. The stalls of issue 7 never end by themselves;
   * when the bug is fixed these cases finish in well under a second each, so a fixed case still passes in time
   * and its listing fails the build.
   */
  static final long KNOWN_FAILURE_SECONDS = 6;

  private final Processes.Proc runner;
  private final Topology topology;
  private final Transport transport;

  private InteropRun(Processes.Proc runner, Topology topology, Transport transport) {
    this.runner = runner;
    this.topology = topology;
    this.transport = transport;
  }

  static InteropRun start(Processes processes, Topology topology, Transport transport, int port) {
    List<String> args = new ArrayList<>();
    for (String name : InteropCases.ALL) {
      if (!InteropCases.SKIPPED.containsKey(name)) {
        long seconds = KnownFailures.listed(topology, transport, name) || KnownFailures.unstable(topology, transport,
            name) ? KNOWN_FAILURE_SECONDS : PASSING_CASE_SECONDS;
        args.add(name + "=" + seconds);
      }
    }
    args.add("--");
    args.addAll(List.of("--server_host=127.0.0.1", "--server_port=" + port, "--use_tls=false", transport.flag));
    args.addAll(InteropCases.SOAK_FLAGS);
    String name = "client-" + topology.name().toLowerCase() + "-" + transport.name().toLowerCase();
    return new InteropRun(processes.grpcJava(name, CaseRunner.class.getName(), args), topology, transport);
  }

  /** The outcome of {@code name}, waiting for the runner to get to it. */
  CaseRunner.Outcome await(String name) throws InterruptedException {
    Pattern line = Pattern.compile("^RESULT " + Pattern.quote(name) + " (PASS|FAIL) (\\d+) ?(.*)$", Pattern.MULTILINE);
    long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
    while (true) {
      Matcher m = line.matcher(runner.logText());
      if (m.find()) {
        return new CaseRunner.Outcome(name, m.group(1).equals("PASS"), Long.parseLong(m.group(2)), m.group(3));
      }
      if (!runner.process().isAlive()) {
        // The last lines may have landed between the read and the check.
        Matcher again = line.matcher(runner.logText());
        if (again.find()) {
          continue;
        }
        throw new AssertionError(runner.name() + " exited (" + runner.process().exitValue() + ") before " + name
            + ":\n" + runner.logTail(4000));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no result for " + name + " from " + runner.name() + ":\n" + runner.logTail(4000));
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** Waits until the runner has gone through its cases and exited. */
  void awaitExit() throws InterruptedException {
    if (!runner.process().waitFor(15, TimeUnit.MINUTES)) {
      throw new AssertionError(runner.name() + " still running after 15 minutes:\n" + runner.logTail(4000));
    }
  }

  String describe() {
    return topology + " over " + transport;
  }

  String logTail() {
    return runner.logTail(3000);
  }
}
