package io.meshwork.model.codec;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/**
 * Istio's duration syntax. Istio CRDs accept Go's {@code time.ParseDuration} form: a sequence of
 * decimal numbers, each with a unit of ns, us (or µs), ms, s, m or h ("10s", "1.5s", "100ms", "1h30m").
 * Protobuf JSON's "1.500s" is a special case of it. Negative durations are rejected.
 */
public final class DurationFormat {
  /** What a user is told when a duration does not parse. */
  public static final String EXPECTED = "a duration such as 10s, 1.5s, 100ms, 2m or 1h";

  private DurationFormat() {}

  /** The duration, or empty when {@code text} is not a valid non-negative duration. */
  public static Optional<Duration> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    if (text.equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    BigDecimal totalNanos = BigDecimal.ZERO;
    int i = 0;
    int n = text.length();
    while (i < n) {
      int start = i;
      while (i < n && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
        i++;
      }
      if (i == start) {
        return Optional.empty();
      }
      BigDecimal number;
      try {
        number = new BigDecimal(text.substring(start, i));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      int unitStart = i;
      while (i < n && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
        i++;
      }
      long nanosPerUnit =
          switch (text.substring(unitStart, i)) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> -1L;
          };
      if (nanosPerUnit < 0) {
        return Optional.empty();
      }
      totalNanos = totalNanos.add(number.multiply(BigDecimal.valueOf(nanosPerUnit)));
    }
    try {
      BigDecimal[] secondsAndNanos = totalNanos.divideAndRemainder(BigDecimal.valueOf(1_000_000_000L));
      return Optional.of(
          Duration.ofSeconds(secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValue()));
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }

  /** The shortest of "1h", "2m", "10s", "100ms", "1.5s", "250us", "7ns" that parses back to {@code d}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    long nanos = d.getNano();
    long seconds = d.getSeconds();
    if (nanos == 0) {
      if (seconds % 3600 == 0) {
        return seconds / 3600 + "h";
      }
      if (seconds % 60 == 0) {
        return seconds / 60 + "m";
      }
      return seconds + "s";
    }
    if (seconds == 0) {
      if (nanos % 1_000_000 == 0) {
        return nanos / 1_000_000 + "ms";
      }
      if (nanos % 1_000 == 0) {
        return nanos / 1_000 + "us";
      }
      return nanos + "ns";
    }
    BigDecimal exact = BigDecimal.valueOf(seconds).add(BigDecimal.valueOf(nanos, 9)).stripTrailingZeros();
    return exact.toPlainString() + "s";
  }
}
