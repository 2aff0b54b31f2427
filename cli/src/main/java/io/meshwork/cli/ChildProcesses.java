package io.meshwork.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts and stops the processes of a local mesh: Meshwork commands and demo apps run in child JVMs
 * with this JVM's java and class path, each logging to its own file. The children die with this process
 * even when it is killed with SIGKILL ({@link ParentDeath}); start them from a thread that lives as long
 * as it does.
 */
final class ChildProcesses implements AutoCloseable {
  private final Path logDir;
  private final List<String> jvmOptions;
  private final List<Process> processes = new ArrayList<>();

  ChildProcesses(Path logDir, List<String> jvmOptions) {
    this.logDir = logDir;
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  /** Starts {@code meshwork ARGS...} in a child JVM. */
  Process meshwork(String logName, Map<String, String> env, String... args) throws IOException {
    return java(logName, env, "io.meshwork.cli.Main", args);
  }

  /** Starts {@code java -cp CLASSPATH MAIN ARGS...}. */
  Process java(String logName, Map<String, String> env, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(ParentDeath.get().command(command));
    builder.environment().putAll(env);
    Path log = logDir.resolve(logName + ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  Path log(String logName) {
    return logDir.resolve(logName + ".log");
  }

  /**
   * Asks every process to stop (SIGTERM), the first one started last, so that what the others depend
   * on (the control plane they deregister from) is still there while they stop; kills what is left
   * after {@code grace}.
   */
  void stopAll(Duration grace) {
    if (processes.isEmpty()) {
      return;
    }
    List<Process> rest = processes.subList(1, processes.size());
    for (int i = rest.size() - 1; i >= 0; i--) {
      rest.get(i).destroy();
    }
    awaitOrKill(rest, grace);
    awaitOrKill(List.of(processes.get(0)), grace);
    processes.clear();
  }

  private static void awaitOrKill(List<Process> group, Duration grace) {
    group.forEach(Process::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (Process p : group) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }

  @Override
  public void close() {
    stopAll(Duration.ofSeconds(5));
  }

  static String javaBinary() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
