package io.meshwork.proxy.cors;

import io.meshwork.proxy.route.CorsRules;
import io.meshwork.proxy.route.RouteAction;
import io.meshwork.proxy.route.RouteDecision;
import io.meshwork.proxy.stack.RequestStage;
import io.meshwork.proxy.stack.StageRequest;
import io.meshwork.proxy.stack.StageVerdict;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Answers CORS preflights for routes with a {@code corsPolicy}: an allowed origin gets {@code 200} from
 * the sidecar with the policy's headers, and the app never sees the preflight. A preflight from an
 * origin the policy does not allow goes on to the app, as Istio's default {@code unmatchedPreflights:
 * FORWARD} does. The response headers of actual requests are added when the response arrives
 * ({@link CorsRules#decorate}, by the exchange). Routes without a policy cost one field read.
 */
public final class CorsStage implements RequestStage {

  @Override
  public StageVerdict onRequest(StageRequest request) {
    if (!(request.route() instanceof RouteDecision.Matched m) || !(m.route().action() instanceof RouteAction.Forward f)
        || f.cors() == null) {
      return StageVerdict.NEXT;
    }
    HttpHeaders headers = request.head().headers();
    if (!CorsRules.isPreflight(request.head().method().name(), headers)) {
      return StageVerdict.NEXT;
    }
    String origin = headers.get(CorsRules.ORIGIN);
    if (!f.cors().allows(origin)) {
      return StageVerdict.NEXT;
    }
    return new StageVerdict.Answer(200, -1, null, "", f.cors().preflightHeaders(origin), null);
  }
}
