package io.meshwork.proxy;

import io.meshwork.model.meshwork.RateLimitPolicy.Direction;
import io.meshwork.proxy.cors.CorsStage;
import io.meshwork.proxy.fault.FaultAbortStage;
import io.meshwork.proxy.fault.FaultDelayStage;
import io.meshwork.proxy.policy.FilterStage;
import io.meshwork.proxy.policy.RequestFilter;
import io.meshwork.proxy.ratelimit.GlobalRateLimitStage;
import io.meshwork.proxy.ratelimit.RateLimitStage;
import io.meshwork.proxy.ratelimit.RateLimits;
import io.meshwork.proxy.stack.RequestStack;
import io.meshwork.proxy.stack.RequestStage;
import io.meshwork.proxy.stack.StageVerdict;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The request stacks, in the order a request meets their stages (linkerd2-proxy's {@code push}
 * list). A new capability is its own package plus one line here. After the last stage comes the
 * router (route timeout, retries, attempts), and under it each cluster's admission (circuit
 * breaking) and attempt observers (outlier detection).
 */
public final class ProxyStacks {
  private static final DoubleSupplier RANDOM = () -> ThreadLocalRandom.current().nextDouble();

  /** A stage that does nothing, for stacks built without telemetry (tests of other stages). */
  private static final RequestStage NO_TELEMETRY = request -> StageVerdict.NEXT;

  private ProxyStacks() {}

  /** The inbound port: the workload's policies, then on to the local app. */
  public static RequestStack inbound(RequestFilter policies) {
    return inbound(policies, NO_TELEMETRY, NO_TELEMETRY, () -> RateLimits.NONE);
  }

  /**
   * @param telemetry the stage that records every ended request (Istio's metrics, reporter destination)
   * @param accessLog the stage that writes every ended request to the access log
   * @param limits the workload's rate limits in the snapshot in force
   */
  public static RequestStack inbound(RequestFilter policies, RequestStage telemetry, RequestStage accessLog,
      Supplier<RateLimits> limits) {
    return RequestStack.builder()
        .push(telemetry) // Istio's standard metrics (reporter=destination); reads the record at the end
        .push(accessLog) // meshConfig accessLogFile/Encoding/Format; reads the record at the end
        .push(new FilterStage(policies)) // authn (RequestAuthentication, API keys), authz (AuthorizationPolicy)
        .push(new RateLimitStage(Direction.INBOUND, limits)) // RateLimitPolicy, keyed by the authenticated caller
        .push(new GlobalRateLimitStage(Direction.INBOUND, limits)) // RateLimitPolicy scope: GLOBAL, leased tokens
        .build();
  }

  /** The outbound ports (HTTP proxy, upstream ports): the caller guard and API-key presenter run as the port's target resolution. */
  public static RequestStack outbound() {
    return outbound(RANDOM);
  }

  /** @param random the draws that pick which requests a fault hits */
  public static RequestStack outbound(DoubleSupplier random) {
    return outbound(random, NO_TELEMETRY, NO_TELEMETRY, () -> RateLimits.NONE);
  }

  /**
   * @param telemetry the stage that records every ended request (Istio's metrics, reporter source)
   * @param accessLog the stage that writes every ended request to the access log
   * @param limits the workload's rate limits in the snapshot in force
   */
  public static RequestStack outbound(RequestStage telemetry, RequestStage accessLog, Supplier<RateLimits> limits) {
    return outbound(RANDOM, telemetry, accessLog, limits);
  }

  public static RequestStack outbound(DoubleSupplier random, RequestStage telemetry, RequestStage accessLog,
      Supplier<RateLimits> limits) {
    return RequestStack.builder()
        .push(telemetry) // Istio's standard metrics (reporter=source); reads the record at the end
        .push(accessLog) // meshConfig accessLogFile/Encoding/Format; reads the record at the end
        .push(new CorsStage()) // VirtualService corsPolicy: preflights answered here, before limits count them
        .push(new RateLimitStage(Direction.OUTBOUND, limits)) // RateLimitPolicy direction: OUTBOUND
        .push(new GlobalRateLimitStage(Direction.OUTBOUND, limits)) // the same, scope: GLOBAL
        .push(new FaultDelayStage(random)) // VirtualService fault.delay (DI)
        .push(new FaultAbortStage(random)) // VirtualService fault.abort (FI)
        .build();
  }
}
