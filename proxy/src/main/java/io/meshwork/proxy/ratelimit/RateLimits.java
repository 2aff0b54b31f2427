package io.meshwork.proxy.ratelimit;

import io.meshwork.model.meshwork.RateLimitPolicy;
import java.util.List;

/**
 * The rate limits of the local workload, compiled with the rest of a snapshot.
 *
 * @param inbound the policies that guard requests to the workload, by name
 * @param outbound the policies that guard requests the workload sends, by name
 */
public record RateLimits(List<RateLimitRule> inbound, List<RateLimitRule> outbound) {
  public static final RateLimits NONE = new RateLimits(List.of(), List.of());

  public RateLimits {
    inbound = List.copyOf(inbound);
    outbound = List.copyOf(outbound);
  }

  public List<RateLimitRule> of(RateLimitPolicy.Direction direction) {
    return direction == RateLimitPolicy.Direction.OUTBOUND ? outbound : inbound;
  }
}
