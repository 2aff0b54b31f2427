package io.meshwork.proxy.fault;

import io.meshwork.proxy.route.FaultPolicy;
import io.meshwork.proxy.stack.RequestStage;
import io.meshwork.proxy.stack.ResponseFlag;
import io.meshwork.proxy.stack.StageRequest;
import io.meshwork.proxy.stack.StageVerdict;
import java.util.function.DoubleSupplier;

/**
 * Delays a share of a route's requests by its {@code fault.delay.fixedDelay} before they go on
 * (Istio HTTPFaultInjection.Delay); the response flag is DI.
 */
public final class FaultDelayStage implements RequestStage {
  private final DoubleSupplier random;

  /** @param random uniform in [0, 1), drawn once per request of a route with a delay */
  public FaultDelayStage(DoubleSupplier random) {
    this.random = random;
  }

  @Override
  public StageVerdict onRequest(StageRequest request) {
    FaultPolicy.Delay delay = FaultRoutes.fault(request).delay();
    if (delay == null || !FaultRoutes.chosen(delay.percent(), random)) {
      return StageVerdict.NEXT;
    }
    request.record().flag(ResponseFlag.DI);
    return new StageVerdict.Later(delay.fixed());
  }
}
