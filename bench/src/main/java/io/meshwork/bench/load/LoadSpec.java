package io.meshwork.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One load run: where to send, how many keep-alive connections, how to pace, and for how long.
 *
 * @param grace how long after the window the generator waits for the last answers before counting
 *     them as timed out
 */
public record LoadSpec(
    String host,
    int port,
    String path,
    int connections,
    int threads,
    Pacing pacing,
    Duration warmup,
    Duration duration,
    Duration grace) {

  public LoadSpec {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host: " + host + " (expected: a host name or address)");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
    if (path == null || !path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
      throw new IllegalArgumentException("path: " + path + " (expected: origin-form starting with '/', RFC 9112 §3.2.1)");
    }
    if (connections < 1 || connections > 10_000) {
      throw new IllegalArgumentException("connections: " + connections + " (expected: 1..10000)");
    }
    if (threads < 1 || threads > connections) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: 1..connections)");
    }
    if (pacing == null) {
      throw new IllegalArgumentException("pacing: null (expected: a fixed rate or saturation)");
    }
    requireNonNegative("warmup", warmup);
    requireNonNegative("duration", duration);
    requireNonNegative("grace", grace);
    if (duration.isZero()) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
    }
  }

  private static void requireNonNegative(String field, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: >= 0)");
    }
  }

  static final String USAGE = """
      usage: OpenLoopGenerator --port P [--host 127.0.0.1] [--path /] [--connections 16]
                               [--threads 1] (--rate RPS | --saturate) [--warmup 3s]
                               [--duration 10s] [--grace 5s]
      durations: 500ms, 10s, 2m, or plain seconds""";

  /** Parses the command line of {@link OpenLoopGenerator#main}. */
  public static LoadSpec parse(String... args) {
    String host = "127.0.0.1";
    Integer port = null;
    String path = "/";
    int connections = 16;
    int threads = 1;
    Pacing pacing = null;
    Duration warmup = Duration.ofSeconds(3);
    Duration duration = Duration.ofSeconds(10);
    Duration grace = Duration.ofSeconds(5);
    List<String> rest = new ArrayList<>(List.of(args));
    while (!rest.isEmpty()) {
      String flag = rest.remove(0);
      if (flag.equals("--saturate")) {
        pacing = new Pacing.Saturation();
        continue;
      }
      if (rest.isEmpty()) {
        throw new IllegalArgumentException(flag + ": missing value (expected: " + flag + " VALUE)");
      }
      String value = rest.remove(0);
      switch (flag) {
        case "--host" -> host = value;
        case "--port" -> port = parseInt(flag, value);
        case "--path" -> path = value;
        case "--connections" -> connections = parseInt(flag, value);
        case "--threads" -> threads = parseInt(flag, value);
        case "--rate" -> pacing = new Pacing.FixedRate(parseDouble(flag, value));
        case "--warmup" -> warmup = parseDuration(flag, value);
        case "--duration" -> duration = parseDuration(flag, value);
        case "--grace" -> grace = parseDuration(flag, value);
        default -> throw new IllegalArgumentException(flag + ": unknown option (expected: one of the options in the usage)");
      }
    }
    if (port == null) {
      throw new IllegalArgumentException("--port: missing (expected: the target port)");
    }
    if (pacing == null) {
      throw new IllegalArgumentException("--rate: missing (expected: --rate RPS or --saturate)");
    }
    return new LoadSpec(host, port, path, connections, threads, pacing, warmup, duration, grace);
  }

  private static int parseInt(String flag, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": " + value + " (expected: an integer)");
    }
  }

  private static double parseDouble(String flag, String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": " + value + " (expected: a number)");
    }
  }

  static Duration parseDuration(String flag, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
      }
      if (v.endsWith("m")) {
        return Duration.ofSeconds(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60));
      }
      return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": " + value + " (expected: a duration such as 500ms, 10s or 2m)");
    }
  }
}
