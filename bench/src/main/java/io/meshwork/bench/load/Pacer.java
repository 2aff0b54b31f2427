package io.meshwork.bench.load;

/**
 * Decides when one connection's next request is meant to start. Not thread-safe: each pacer
 * belongs to one connection and runs on that connection's event loop.
 */
sealed interface Pacer permits Pacer.FixedRatePacer, Pacer.BackToBackPacer {

  /** Returned by {@link #nextIntendedStart} once the run is over for this connection. */
  long NO_MORE = Long.MIN_VALUE;

  /**
   * The intended start of the next request given the time now, or {@link #NO_MORE}. A value in the
   * past means the request is late and must go at once; it is still timed from this value.
   */
  long nextIntendedStart(long nowNanos);

  /** Marks the slot last returned by {@link #nextIntendedStart} as sent. */
  void consume();

  static Pacer create(Pacing pacing, MeasurementWindow window, int connectionIndex, int connections) {
    return switch (pacing) {
      case Pacing.FixedRate rate -> new FixedRatePacer(window, rate.requestsPerSecond(), connectionIndex, connections);
      case Pacing.Saturation ignored -> new BackToBackPacer(window);
    };
  }

  /**
   * Connection {@code c} of {@code n} owns every n-th slot of one global timetable spaced
   * {@code 1/rate} apart, offset by {@code c} slots, so the merged arrivals are evenly spaced.
   * Slot k is computed from the start rather than by adding intervals, so rounding never drifts.
   */
  final class FixedRatePacer implements Pacer {
    private final MeasurementWindow window;
    private final long firstNanos;
    private final double connectionIntervalNanos;
    private long slot;

    FixedRatePacer(MeasurementWindow window, double requestsPerSecond, int connectionIndex, int connections) {
      if (connections < 1 || connectionIndex < 0 || connectionIndex >= connections) {
        throw new IllegalArgumentException(
            "connectionIndex: " + connectionIndex + " (expected: 0.." + (connections - 1) + ")");
      }
      double globalIntervalNanos = 1e9 / requestsPerSecond;
      this.window = window;
      this.firstNanos = window.startNanos() + Math.round(connectionIndex * globalIntervalNanos);
      this.connectionIntervalNanos = globalIntervalNanos * connections;
    }

    @Override
    public long nextIntendedStart(long nowNanos) {
      long intended = firstNanos + Math.round(slot * connectionIntervalNanos);
      return intended < window.endNanos() ? intended : NO_MORE;
    }

    @Override
    public void consume() {
      slot++;
    }
  }

  /** Closed loop: the next request is meant to start now, until the window closes. */
  final class BackToBackPacer implements Pacer {
    private final MeasurementWindow window;

    BackToBackPacer(MeasurementWindow window) {
      this.window = window;
    }

    @Override
    public long nextIntendedStart(long nowNanos) {
      if (nowNanos >= window.endNanos()) {
        return NO_MORE;
      }
      return Math.max(nowNanos, window.startNanos());
    }

    @Override
    public void consume() {}
  }
}
