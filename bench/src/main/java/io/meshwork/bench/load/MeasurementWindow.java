package io.meshwork.bench.load;

/**
 * The timeline of one run on the generator's ticker, in nanoseconds: requests start in
 * {@code [startNanos, endNanos)}, and only those whose intended start is at or after
 * {@code recordFromNanos} are recorded, so the warm-up (JIT compilation, connection pools filling,
 * TCP windows opening) never reaches the results.
 */
public record MeasurementWindow(long startNanos, long recordFromNanos, long endNanos) {

  public MeasurementWindow {
    if (recordFromNanos < startNanos || endNanos <= recordFromNanos) {
      throw new IllegalArgumentException("window: [" + startNanos + ", " + recordFromNanos + ", "
          + endNanos + "] (expected: start <= recordFrom < end)");
    }
  }

  /** A window starting at {@code startNanos} with the given warm-up and measured durations. */
  public static MeasurementWindow of(long startNanos, long warmupNanos, long measuredNanos) {
    return new MeasurementWindow(startNanos, startNanos + warmupNanos, startNanos + warmupNanos + measuredNanos);
  }

  public boolean records(long intendedStartNanos) {
    return intendedStartNanos >= recordFromNanos && intendedStartNanos < endNanos;
  }

  public long measuredNanos() {
    return endNanos - recordFromNanos;
  }
}
