package io.meshwork.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Real {@code meshwork} processes for tests: each command runs in its own JVM with this test's class
 * path and logs to a file, as a user's shell would run it.
 */
final class MeshProcesses implements AutoCloseable {
  private static final List<String> JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx192m",
      "-Xss512k");

  private final Path dir;
  private final List<Proc> started = new ArrayList<>();

  /** One started process and its log. */
  record Proc(String name, Process process, Path log) {
    /** SIGKILL to the process and everything it started: a crash, not a shutdown. */
    void kill() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    String logText() {
      try {
        return Files.exists(log) ? Files.readString(log) : "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  MeshProcesses(Path dir) {
    this.dir = dir;
  }

  /** Starts {@code meshwork ARGS...}. */
  Proc meshwork(String name, String... args) {
    List<String> command = new ArrayList<>(java());
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    return start(name, command);
  }

  /** The command that starts a JVM with this class path, for {@code meshwork run ... -- COMMAND}. */
  static List<String> java() {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(JVM);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    return command;
  }

  private Proc start(String name, List<String> command) {
    Path log = dir.resolve(name + ".log");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      Proc proc = new Proc(name, p, log);
      started.add(proc);
      return proc;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Polls {@code condition} until it holds, failing with the processes' logs after {@code timeout}. */
  void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        for (Proc p : started) {
          String text = p.logText();
          logs.append("\n--- ").append(p.name()).append(" ---\n")
              .append(text.length() > 3000 ? text.substring(text.length() - 3000) : text);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + logs);
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      Proc p = started.get(i);
      p.process().descendants().forEach(ProcessHandle::destroy);
      p.process().destroy();
    }
    for (Proc p : started) {
      try {
        if (!p.process().waitFor(10, TimeUnit.SECONDS)) {
          p.kill();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.kill();
      }
    }
  }
}
