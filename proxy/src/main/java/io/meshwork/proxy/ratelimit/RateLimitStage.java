package io.meshwork.proxy.ratelimit;

import io.meshwork.model.meshwork.RateLimitPolicy;
import io.meshwork.proxy.stack.RequestStage;
import io.meshwork.proxy.stack.ResponseFlag;
import io.meshwork.proxy.stack.StageRequest;
import io.meshwork.proxy.stack.StageVerdict;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Enforces the workload's rate limits on one side (inbound or outbound). Every policy whose match
 * takes the request takes a token from the caller's bucket; the request is refused when any of
 * them has none (Envoy's local rate limit with several descriptors), and the policy that frees up
 * last answers: 429 with {@code retry-after} and the RateLimit fields of
 * draft-ietf-httpapi-ratelimit-headers, response flag RL, grpc-status 8 (RESOURCE_EXHAUSTED) for
 * gRPC callers. Tokens taken from the other buckets are not given back. A dry-run policy counts the
 * requests it would refuse and lets them through.
 */
public final class RateLimitStage implements RequestStage {
  static final int GRPC_RESOURCE_EXHAUSTED = 8;

  private final RateLimitPolicy.Direction direction;
  private final Supplier<RateLimits> limits;
  private final LongSupplier nanoClock;

  /** @param limits the rate limits of the snapshot in force */
  public RateLimitStage(RateLimitPolicy.Direction direction, Supplier<RateLimits> limits) {
    this(direction, limits, System::nanoTime);
  }

  /** @param nanoClock a monotonic clock in nanoseconds */
  public RateLimitStage(RateLimitPolicy.Direction direction, Supplier<RateLimits> limits, LongSupplier nanoClock) {
    this.direction = direction;
    this.limits = limits;
    this.nanoClock = nanoClock;
  }

  @Override
  public StageVerdict onRequest(StageRequest request) {
    RateLimits current = limits.get();
    List<RateLimitRule> rules = current == null ? List.of() : current.of(direction);
    if (rules.isEmpty()) {
      return StageVerdict.NEXT;
    }
    HttpRequest head = request.head();
    String path = path(head.uri());
    long now = nanoClock.getAsLong();
    RateLimitRule refusing = null;
    long longestWait = -1;
    for (int i = 0; i < rules.size(); i++) {
      RateLimitRule rule = rules.get(i);
      if (rule.match().match(head, path) == null) {
        continue;
      }
      RateLimitRule.State state = rule.state();
      long left = state.buckets.bucket(rule.key().of(request), now).take(now, rule.intervalNanos(), rule.capacity());
      if (left >= 0) {
        state.admitted.increment();
      } else if (rule.dryRun()) {
        state.shadowLimited.increment();
      } else {
        state.limited.increment();
        long wait = -1 - left;
        if (wait > longestWait) {
          longestWait = wait;
          refusing = rule;
        }
      }
    }
    if (refusing == null) {
      return StageVerdict.NEXT;
    }
    request.record().flag(ResponseFlag.RL);
    return new StageVerdict.Answer(429, GRPC_RESOURCE_EXHAUSTED, "rate_limited", "rate limit exceeded",
        RateLimitFields.refused(refusing, longestWait), ResponseFlag.RL);
  }

  /** The path of an origin-form target, or of an absolute-form one (the HTTP proxy port, RFC 9112 §3.2.2). */
  static String path(String uri) {
    int start = 0;
    if (!uri.startsWith("/")) {
      int scheme = uri.indexOf("://");
      if (scheme > 0) {
        int slash = uri.indexOf('/', scheme + 3);
        if (slash < 0) {
          return "/";
        }
        start = slash;
      }
    }
    int end = uri.indexOf('?', start);
    int hash = uri.indexOf('#', start);
    if (hash >= 0 && (end < 0 || hash < end)) {
      end = hash;
    }
    return start == 0 && end < 0 ? uri : uri.substring(start, end < 0 ? uri.length() : end);
  }
}
