package io.meshwork.proxy.route;

import java.time.Duration;

/**
 * A route's fault injection (Istio HTTPFaultInjection), compiled and validated.
 *
 * @param delay the delay injected into a share of requests, or null
 * @param abort the local answer given to a share of requests, or null
 */
public record FaultPolicy(Delay delay, Abort abort) {
  public static final FaultPolicy NONE = new FaultPolicy(null, null);

  public boolean isNone() {
    return delay == null && abort == null;
  }

  /**
   * @param fixed how long the request waits before it goes on (Istio: at least 1 ms)
   * @param percent the share of requests delayed, 0..100
   */
  public record Delay(Duration fixed, double percent) {
    public Delay {
      if (fixed.isNegative() || fixed.isZero()) {
        throw new IllegalArgumentException("fixedDelay: " + fixed + " (expected: > 0)");
      }
      checkPercent(percent);
    }
  }

  /**
   * @param httpStatus the status answered, or 0 when {@code grpcStatus} is set
   * @param grpcStatus the gRPC status code answered (as a trailers-only response), or -1
   * @param percent the share of requests aborted, 0..100
   */
  public record Abort(int httpStatus, int grpcStatus, double percent) {
    public Abort {
      if ((httpStatus == 0) == (grpcStatus < 0)) {
        throw new IllegalArgumentException("abort: exactly one of httpStatus and grpcStatus (expected: one)");
      }
      if (httpStatus != 0 && (httpStatus < 200 || httpStatus > 599)) {
        throw new IllegalArgumentException("httpStatus: " + httpStatus + " (expected: 200..599)");
      }
      if (grpcStatus > 16) {
        throw new IllegalArgumentException("grpcStatus: " + grpcStatus + " (expected: 0..16)");
      }
      checkPercent(percent);
    }
  }

  private static void checkPercent(double percent) {
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException("percentage: " + percent + " (expected: 0..100)");
    }
  }
}
