package io.meshwork.proxy.ratelimit;

import io.meshwork.model.meshwork.RateLimitPolicy;
import java.util.List;

/**
 * The rate limits of the local workload, compiled with the rest of a snapshot: local token buckets and GLOBAL
 * budgets.
 *
 * @param inbound the policies that guard requests to the workload, by name
 * @param outbound the policies that guard requests the workload sends, by name
 * @param globalInbound the GLOBAL policies on the inbound side, by name
 * @param globalOutbound the GLOBAL policies on the outbound side, by name
 */
public record RateLimits(List<RateLimitRule> inbound, List<RateLimitRule> outbound,
    List<GlobalRateLimitRule> globalInbound, List<GlobalRateLimitRule> globalOutbound) {
  public static final RateLimits NONE = new RateLimits(List.of(), List.of());

  public RateLimits {
    inbound = List.copyOf(inbound);
    outbound = List.copyOf(outbound);
    globalInbound = List.copyOf(globalInbound);
    globalOutbound = List.copyOf(globalOutbound);
  }

  /** Local limits only. */
  public RateLimits(List<RateLimitRule> inbound, List<RateLimitRule> outbound) {
    this(inbound, outbound, List.of(), List.of());
  }

  /** The GLOBAL policies on one side. */
  public List<GlobalRateLimitRule> global(RateLimitPolicy.Direction direction) {
    return direction == RateLimitPolicy.Direction.OUTBOUND ? globalOutbound : globalInbound;
  }

  public List<RateLimitRule> of(RateLimitPolicy.Direction direction) {
    return direction == RateLimitPolicy.Direction.OUTBOUND ? outbound : inbound;
  }
}
