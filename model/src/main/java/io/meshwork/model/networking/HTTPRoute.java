package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.time.Duration;
import java.util.List;

/**
 * Istio HTTPRoute. Exactly one of {@code route}, {@code redirect}, {@code directResponse} or {@code
 * delegate} says what happens to a matching request; the other fields are null when absent.
 *
 * @param match empty matches every request
 * @param timeout bound on the whole request including retries; null means none
 * @param mirrorPercentage share of requests mirrored, null means 100 when {@code mirror} is set
 * @param mirrors several mirror destinations, each with its own share (instead of {@code mirror})
 */
public record HTTPRoute(
    String name,
    List<HTTPMatchRequest> match,
    List<HTTPRouteDestination> route,
    HTTPRedirect redirect,
    HTTPDirectResponse directResponse,
    Delegate delegate,
    HTTPRewrite rewrite,
    Duration timeout,
    HTTPRetry retries,
    HTTPFaultInjection fault,
    Destination mirror,
    Percent mirrorPercentage,
    List<HTTPMirrorPolicy> mirrors,
    CorsPolicy corsPolicy,
    Headers headers) {
  public HTTPRoute {
    match = Copies.list(match);
    route = Copies.list(route);
    mirrors = Copies.list(mirrors);
  }
}
