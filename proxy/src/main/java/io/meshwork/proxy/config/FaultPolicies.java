package io.meshwork.proxy.config;

import io.meshwork.model.networking.HTTPFaultInjection;
import io.meshwork.model.networking.Percent;
import io.meshwork.proxy.route.FaultPolicy;
import java.util.List;
import java.util.Locale;

/** Istio HTTPFaultInjection to a validated {@link FaultPolicy}. */
final class FaultPolicies {
  /** gRPC status codes by name, in code order (grpc/doc/statuscodes.md). */
  private static final List<String> GRPC_CODES = List.of("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED");

  private FaultPolicies() {}

  /**
   * @param field the route's field path for messages, e.g. {@code spec.http[0]}
   * @throws IllegalArgumentException naming the field and the expected value
   */
  static FaultPolicy of(HTTPFaultInjection fault, String field) {
    if (fault == null || (fault.delay() == null && fault.abort() == null)) {
      return FaultPolicy.NONE;
    }
    FaultPolicy.Delay delay = null;
    if (fault.delay() != null) {
      var d = fault.delay();
      if (d.fixedDelay() == null || d.fixedDelay().toMillis() < 1) {
        throw new IllegalArgumentException(field + ".fault.delay.fixedDelay: " + d.fixedDelay() + " (expected: >= 1ms)");
      }
      delay = new FaultPolicy.Delay(d.fixedDelay(), percent(d.percentage(), field + ".fault.delay.percentage"));
    }
    FaultPolicy.Abort abort = null;
    if (fault.abort() != null) {
      var a = fault.abort();
      double percent = percent(a.percentage(), field + ".fault.abort.percentage");
      if ((a.httpStatus() == null) == (a.grpcStatus() == null)) {
        throw new IllegalArgumentException(field + ".fault.abort: " + (a.httpStatus() == null ? "neither" : "both")
            + " of httpStatus and grpcStatus (expected: exactly one)");
      }
      if (a.httpStatus() != null) {
        if (a.httpStatus() < 200 || a.httpStatus() > 599) {
          throw new IllegalArgumentException(field + ".fault.abort.httpStatus: " + a.httpStatus() + " (expected: 200..599)");
        }
        abort = new FaultPolicy.Abort(a.httpStatus(), -1, percent);
      } else {
        int code = GRPC_CODES.indexOf(a.grpcStatus().toUpperCase(Locale.ROOT));
        if (code < 0) {
          throw new IllegalArgumentException(field + ".fault.abort.grpcStatus: " + a.grpcStatus()
              + " (expected: a gRPC status name such as UNAVAILABLE)");
        }
        abort = new FaultPolicy.Abort(0, code, percent);
      }
    }
    return new FaultPolicy(delay, abort);
  }

  /** Istio: an unset percentage means every request. */
  private static double percent(Percent p, String field) {
    if (p == null || p.value() == null) {
      return 100;
    }
    double v = p.value();
    if (!(v >= 0 && v <= 100)) {
      throw new IllegalArgumentException(field + ".value: " + v + " (expected: 0..100)");
    }
    return v;
  }
}
