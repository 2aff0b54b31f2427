package io.meshwork.bench.load;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one run over its measured part: successes, failures by kind, and the latency
 * histogram in nanoseconds (from intended start in open loop, from actual send in closed loop).
 */
public record LoadReport(
    Pacing pacing,
    int connections,
    Duration measured,
    long succeeded,
    long failedStatus,
    long failedIo,
    long timedOut,
    Histogram latencyNanos) {

  /** The percentiles the bench reports, as fractions of 100. */
  public static final List<Double> PERCENTILES = List.of(50.0, 90.0, 99.0, 99.9);

  public LoadReport {
    latencyNanos = latencyNanos.copy();
  }

  static LoadReport merge(Pacing pacing, Duration measured, List<ConnectionStats> perConnection) {
    Histogram merged = new Histogram(ConnectionStats.SIGNIFICANT_DIGITS);
    long succeeded = 0;
    long failedStatus = 0;
    long failedIo = 0;
    long timedOut = 0;
    for (ConnectionStats stats : perConnection) {
      merged.add(stats.latencyNanos());
      succeeded += stats.succeeded();
      failedStatus += stats.failedStatus();
      failedIo += stats.failedIo();
      timedOut += stats.timedOut();
    }
    return new LoadReport(pacing, perConnection.size(), measured, succeeded, failedStatus, failedIo, timedOut, merged);
  }

  public long errors() {
    return failedStatus + failedIo + timedOut;
  }

  /** Successful answers per second of the measured part. */
  public double achievedRate() {
    return succeeded / (measured.toNanos() / 1e9);
  }

  public double percentileMicros(double percentile) {
    return latencyNanos.getValueAtPercentile(percentile) / 1e3;
  }

  public double maxMicros() {
    return latencyNanos.getMaxValue() / 1e3;
  }

  /**
   * One machine-readable line, {@code RESULT key=value ...}, ending with the compressed histogram
   * so that runs can be merged later without losing the tail.
   */
  public String resultLine() {
    StringBuilder line = new StringBuilder("RESULT");
    switch (pacing) {
      case Pacing.FixedRate rate -> line.append(" kind=latency rate=").append(format(rate.requestsPerSecond()));
      case Pacing.Saturation ignored -> line.append(" kind=saturation");
    }
    line.append(" connections=").append(connections)
        .append(" measured_s=").append(format(measured.toNanos() / 1e9))
        .append(" succeeded=").append(succeeded)
        .append(" errors=").append(errors())
        .append(" achieved_rps=").append(format(achievedRate()));
    for (double p : PERCENTILES) {
      line.append(" p").append(percentileKey(p)).append("_us=").append(format(percentileMicros(p)));
    }
    line.append(" max_us=").append(format(maxMicros()));
    line.append(" hist=").append(encode(latencyNanos));
    return line.toString();
  }

  /** A few lines for a person at a terminal. */
  public String summary() {
    String mode = switch (pacing) {
      case Pacing.FixedRate rate -> "open loop at " + format(rate.requestsPerSecond()) + " req/s";
      case Pacing.Saturation ignored -> "closed loop (saturation)";
    };
    StringBuilder text = new StringBuilder();
    text.append(mode).append(", ").append(connections).append(" connections, ")
        .append(format(measured.toNanos() / 1e9)).append(" s measured\n")
        .append("  achieved ").append(format(achievedRate())).append(" req/s, ")
        .append(succeeded).append(" ok, ").append(failedStatus).append(" bad status, ")
        .append(failedIo).append(" i/o errors, ").append(timedOut).append(" timed out\n")
        .append("  latency (us):");
    for (double p : PERCENTILES) {
      text.append(" p").append(percentileKey(p)).append('=').append(format(percentileMicros(p)));
    }
    text.append(" max=").append(format(maxMicros()));
    return text.toString();
  }

  /** "99.9" becomes "999" and "50.0" becomes "50", the usual short names of percentiles. */
  static String percentileKey(double percentile) {
    String s = format(percentile);
    return s.replace(".", "");
  }

  static String format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return String.format(Locale.ROOT, "%.1f", value);
  }

  public static String encode(Histogram histogram) {
    ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
    int length = histogram.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
  }

  public static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (DataFormatException | IllegalArgumentException e) {
      throw new IllegalArgumentException("hist: " + e.getMessage() + " (expected: a base64 compressed HdrHistogram)", e);
    }
  }
}
