package io.meshwork.model.networking;

import java.time.Duration;

/** Istio HTTPFaultInjection: delay and/or abort a share of requests. */
public record HTTPFaultInjection(Delay delay, Abort abort) {

  /**
   * Istio HTTPFaultInjection.Delay.
   *
   * @param percentage share delayed; null means 100
   * @param fixedDelay required, >= 1ms
   */
  public record Delay(Percent percentage, Duration fixedDelay) {}

  /**
   * Istio HTTPFaultInjection.Abort: exactly one of {@code httpStatus} and {@code grpcStatus}.
   *
   * @param percentage share aborted; null means 100
   * @param grpcStatus a gRPC status name such as "UNAVAILABLE"
   */
  public record Abort(Percent percentage, Integer httpStatus, String grpcStatus) {}
}
