package io.meshwork.proxy.fault;

import io.meshwork.proxy.route.FaultPolicy;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.route.RouteDecision;
import io.meshwork.proxy.stack.StageRequest;
import java.util.function.DoubleSupplier;

/** The fault policy of the route a request matched. */
final class FaultRoutes {
  private FaultRoutes() {}

  static FaultPolicy fault(StageRequest request) {
    if (request.route() instanceof RouteDecision.Matched m && m.route().action() instanceof RouteAction.Forward f) {
      return f.fault();
    }
    return FaultPolicy.NONE;
  }

  /** Whether this request is in the {@code percent} share; 100 takes every request without a draw. */
  static boolean chosen(double percent, DoubleSupplier random) {
    if (percent >= 100) {
      return true;
    }
    return percent > 0 && random.getAsDouble() * 100 < percent;
  }
}
