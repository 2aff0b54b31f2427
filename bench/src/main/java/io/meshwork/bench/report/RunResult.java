package io.meshwork.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measurement, parsed from a line {@code RESULT target=T round=N kind=K key=value ...}.
 *
 * @param kind {@code saturation} or {@code latency}
 */
public record RunResult(String target, int round, String kind, Map<String, String> fields) {

  public RunResult {
    fields = Map.copyOf(fields);
  }

  /** Parses a result line; a line that does not start with {@code RESULT } is not one. */
  public static RunResult parse(String line) {
    if (!line.startsWith("RESULT ")) {
      throw new IllegalArgumentException("line: " + abbreviate(line) + " (expected: RESULT key=value ...)");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String token : line.substring("RESULT ".length()).trim().split("\\s+")) {
      int eq = token.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("token: " + abbreviate(token) + " (expected: key=value)");
      }
      fields.put(token.substring(0, eq), token.substring(eq + 1));
    }
    String target = require(fields, "target");
    String kind = require(fields, "kind");
    if (!kind.equals("saturation") && !kind.equals("latency")) {
      throw new IllegalArgumentException("kind: " + kind + " (expected: saturation or latency)");
    }
    int round;
    try {
      round = Integer.parseInt(require(fields, "round"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("round: " + fields.get("round") + " (expected: an integer)");
    }
    return new RunResult(target, round, kind, fields);
  }

  public String field(String key) {
    return require(fields, key);
  }

  public double number(String key) {
    String value = field(key);
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: a number)");
    }
  }

  private static String require(Map<String, String> fields, String key) {
    String value = fields.get(key);
    if (value == null) {
      throw new IllegalArgumentException(key + ": missing (expected: " + key + "=VALUE in the result line)");
    }
    return value;
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }
}
