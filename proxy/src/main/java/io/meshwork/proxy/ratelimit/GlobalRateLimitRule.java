package io.meshwork.proxy.ratelimit;

import io.meshwork.model.meshwork.RateLimitPolicy;
import io.meshwork.proxy.route.RouteMatch;

/**
 * One RateLimitPolicy with {@code scope: GLOBAL}, compiled for this sidecar.
 *
 * @param name the policy's name, as the RateLimit fields carry it
 * @param direction the side of the workload it guards
 * @param match the requests it counts
 * @param key how callers are separated into budgets
 * @param quota requests per window, for every instance together
 * @param windowSeconds the window, in seconds
 * @param dryRun count requests over the quota without refusing them
 * @param failureMode what happens while the counters cannot be reached
 * @param state the leases, shares and counters
 */
public record GlobalRateLimitRule(String name, RateLimitPolicy.Direction direction, RouteMatch match, CallerKey key,
    long quota, long windowSeconds, boolean dryRun, RateLimitPolicy.FailureMode failureMode, GlobalLimit state) {

  public GlobalRateLimitRule {
    if (quota < 1) {
      throw new IllegalArgumentException("quota: " + quota + " (expected: > 0)");
    }
  }
}
