package io.meshwork.proxy.dapr;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real redis-server on a free port, without persistence; skips the test when redis-server is not installed. */
final class RedisServerProcess implements AutoCloseable {
  final int port;
  private final Path log;
  private Process process;

  private RedisServerProcess(int port, Path log) {
    this.port = port;
    this.log = log;
  }

  static RedisServerProcess start(Path dir) throws Exception {
    assumeTrue(onPath("redis-server"), "redis-server is not installed (scripts/ensure-tools.sh installs it)");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RedisServerProcess redis = new RedisServerProcess(port, dir.resolve("redis-" + port + ".log"));
    redis.restart();
    return redis;
  }

  /** Starts the server (again, on the same port, empty). */
  void restart() throws Exception {
    process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("redis-server did not start: " + Files.readString(log));
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
    }
  }

  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
  }

  /** Runs redis-cli and returns what it printed. */
  String cli(String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
    args.addAll(List.of(command));
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    p.waitFor(5, TimeUnit.SECONDS);
    return out;
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      kill();
    }
  }
}
