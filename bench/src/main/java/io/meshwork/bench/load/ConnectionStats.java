package io.meshwork.bench.load;

import org.HdrHistogram.Histogram;

/**
 * What one connection observed inside the measured part of the window. Written only by the
 * connection's event loop; read by the generator after the connection has finished.
 */
final class ConnectionStats {

  /** Three significant digits: 1 µs resolution at 1 ms, 1 ms at 1 s, plenty for percentiles. */
  static final int SIGNIFICANT_DIGITS = 3;

  private final Histogram latencyNanos = new Histogram(SIGNIFICANT_DIGITS);
  private long succeeded;
  private long failedStatus;
  private long failedIo;
  private long timedOut;

  void recordSuccess(long latencyNanos) {
    this.latencyNanos.recordValue(Math.max(0, latencyNanos));
    succeeded++;
  }

  void recordFailedStatus() {
    failedStatus++;
  }

  void recordIoFailure() {
    failedIo++;
  }

  void recordTimeout() {
    timedOut++;
  }

  Histogram latencyNanos() {
    return latencyNanos;
  }

  long succeeded() {
    return succeeded;
  }

  long failedStatus() {
    return failedStatus;
  }

  long failedIo() {
    return failedIo;
  }

  long timedOut() {
    return timedOut;
  }
}
