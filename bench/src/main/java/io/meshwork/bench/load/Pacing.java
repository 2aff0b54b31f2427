package io.meshwork.bench.load;

/** How requests are paced on each connection: a fixed total rate (open loop) or back to back (closed loop). */
public sealed interface Pacing {

  /**
   * Open loop: request starts are fixed in advance at {@code requestsPerSecond} in total, whatever
   * the server does, so a slow answer cannot slow the arrival of the next requests.
   */
  record FixedRate(double requestsPerSecond) implements Pacing {
    public FixedRate {
      if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
        throw new IllegalArgumentException(
            "requestsPerSecond: " + requestsPerSecond + " (expected: > 0 and finite)");
      }
    }
  }

  /** Closed loop: each connection sends its next request as soon as the previous answer ends. */
  record Saturation() implements Pacing {}
}
