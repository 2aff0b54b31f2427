package io.meshwork.proxy.fault;

import io.meshwork.proxy.route.FaultPolicy;
import io.meshwork.proxy.stack.RequestStage;
import io.meshwork.proxy.stack.ResponseFlag;
import io.meshwork.proxy.stack.StageRequest;
import io.meshwork.proxy.stack.StageVerdict;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * Answers a share of a route's requests with its {@code fault.abort} status instead of forwarding
 * them (Istio HTTPFaultInjection.Abort); the response flag is FI. A {@code grpcStatus} abort is a
 * trailers-only gRPC response (HTTP 200 with that grpc-status), as Envoy's fault filter sends.
 */
public final class FaultAbortStage implements RequestStage {
  private final DoubleSupplier random;

  /** @param random uniform in [0, 1), drawn once per request of a route with an abort */
  public FaultAbortStage(DoubleSupplier random) {
    this.random = random;
  }

  @Override
  public StageVerdict onRequest(StageRequest request) {
    FaultPolicy.Abort abort = FaultRoutes.fault(request).abort();
    if (abort == null || !FaultRoutes.chosen(abort.percent(), random)) {
      return StageVerdict.NEXT;
    }
    request.record().flag(ResponseFlag.FI);
    int status = abort.grpcStatus() >= 0 ? 200 : abort.httpStatus();
    return new StageVerdict.Answer(status, abort.grpcStatus(), "fault_filter_abort", "fault filter abort", Map.of(),
        ResponseFlag.FI);
  }
}
