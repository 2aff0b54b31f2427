package io.meshwork.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The real processes of one topology: Meshwork's sidecars and control plane from the cli module's jar, grpc-java's
 * test server and client, nghttp2's tools. Each logs to a file in {@code dir}; all are stopped on close.
 */
final class Processes implements AutoCloseable {
  private static final List<String> SMALL_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Xss512k", "-Xshare:auto");
  private static final Path CLI_DIR = Path.of(System.getProperty("meshwork.cli.dir", "../cli/target"));

  private final Path dir;
  private final List<Proc> started = new ArrayList<>();

  /** One started process and its log. */
  record Proc(String name, Process process, Path log) {
    String logText() {
      try {
        return Files.exists(log) ? Files.readString(log) : "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String logTail(int chars) {
      String text = logText();
      return text.length() > chars ? text.substring(text.length() - chars) : text;
    }
  }

  Processes(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** {@code meshwork ARGS...} from the cli module's packaged jar and its lib folder, as ./meshwork runs it. */
  Proc meshwork(String name, String... args) {
    Path jar = CLI_DIR.resolve("meshwork-cli.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build the cli module first (./mvnw -pl interop -am verify)");
    }
    List<String> command = new ArrayList<>(java(256));
    command.add("-cp");
    command.add(jar + java.io.File.pathSeparator + CLI_DIR.resolve("lib") + "/*");
    command.add("io.meshwork.cli.Main");
    command.addAll(List.of(args));
    return start(name, command);
  }

  /** A JVM with this module's class path: grpc-java 1.76 with its own Netty 4.1. */
  Proc grpcJava(String name, String mainClass, List<String> args) {
    List<String> command = new ArrayList<>(java(384));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    return start(name, command);
  }

  Proc command(String name, List<String> command) {
    return start(name, command);
  }

  private static List<String> java(int heapMb) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(SMALL_JVM);
    command.add("-Xmx" + heapMb + "m");
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

  static boolean listening(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Polls {@code condition} until it holds; fails with every process's log tail after {@code timeout}. */
  void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + logs());
      }
      Thread.sleep(100);
    }
  }

  /**
   * The port a process printed once it listens, from the first match of {@code pattern}'s group 1 in its log, or -1
   * when it exits first. Ports are left to the processes to choose (0) and read back, so no other process can take
   * one in between.
   */
  int awaitPort(Proc p, String pattern, Duration timeout) throws InterruptedException {
    java.util.regex.Pattern regex = java.util.regex.Pattern.compile(pattern);
    int[] port = {-1};
    await(p.name() + " to print " + pattern, timeout, () -> {
      java.util.regex.Matcher m = regex.matcher(p.logText());
      if (m.find()) {
        port[0] = Integer.parseInt(m.group(1));
        return true;
      }
      return !p.process().isAlive();
    });
    return port[0];
  }

  /**
   * Starts {@code meshwork ARGS...} and returns the port it prints, starting it again (up to 5 times) when it
   * exits first: on a loaded machine a sidecar's first call to a control plane that has just started can time out,
   * and a sidecar that cannot reach its control plane at start exits, as it should.
   */
  int meshworkPort(String name, String pattern, Duration timeout, String... args) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      Proc p = meshwork(attempt == 1 ? name : name + "-" + attempt, args);
      int port = awaitPort(p, pattern, timeout);
      if (port > 0) {
        return port;
      }
      if (attempt == 5) {
        throw new AssertionError(p.name() + " exited before printing " + pattern + logs());
      }
      Thread.sleep(1000);
    }
  }

  String logs() {
    StringBuilder logs = new StringBuilder();
    for (Proc p : started) {
      logs.append("\n--- ").append(p.name()).append(" ---\n").append(p.logTail(3000));
    }
    return logs.toString();
  }

  @Override
  public void close() {
    for (Proc p : started.reversed()) {
      p.process().descendants().forEach(ProcessHandle::destroy);
      p.process().destroy();
    }
    for (Proc p : started) {
      try {
        if (!p.process().waitFor(10, TimeUnit.SECONDS)) {
          p.process().descendants().forEach(ProcessHandle::destroyForcibly);
          p.process().destroyForcibly();
          p.process().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.process().destroyForcibly();
      }
    }
  }
}
