package io.meshwork.proxy.ratelimit;

import io.meshwork.model.meshwork.RateLimitPolicy;
import io.meshwork.proxy.stack.RequestStage;
import io.meshwork.proxy.stack.ResponseFlag;
import io.meshwork.proxy.stack.StageRequest;
import io.meshwork.proxy.stack.StageVerdict;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Enforces the workload's GLOBAL rate limits on one side. Each matching policy spends a token of this sidecar's
 * share of the budget; a share that is empty makes the request wait ({@code later}) for the lease on its way, at
 * most {@link GlobalLimit#WAIT}, and the stage then decides again. A window whose quota is spent answers as a
 * local limit does (429, {@code retry-after}, RateLimit fields, RL, RESOURCE_EXHAUSTED). Counters that cannot be
 * reached let the request through ({@code failureMode: ALLOW}, Envoy's default) or refuse it with 503 and flag
 * RLSE ({@code DENY}). A request refused by one policy, or made to wait by one, gives back the tokens it took from
 * the others. Runs after the local limits: a request they refuse spends nothing of the global budget.
 */
public final class GlobalRateLimitStage implements RequestStage {
  static final int GRPC_UNAVAILABLE = 14;
  private static final Map<String, String> RETRY_SOON = Map.of("retry-after", "1");
  /** Rules one request is checked against at most: the tokens it took are remembered in one long. */
  private static final int MAX_RULES = 64;

  private final RateLimitPolicy.Direction direction;
  private final Supplier<RateLimits> limits;
  private final LongSupplier nanoClock;

  public GlobalRateLimitStage(RateLimitPolicy.Direction direction, Supplier<RateLimits> limits) {
    this(direction, limits, System::nanoTime);
  }

  /** @param nanoClock a monotonic clock in nanoseconds */
  public GlobalRateLimitStage(RateLimitPolicy.Direction direction, Supplier<RateLimits> limits,
      LongSupplier nanoClock) {
    this.direction = direction;
    this.limits = limits;
    this.nanoClock = nanoClock;
  }

  @Override
  public StageVerdict onRequest(StageRequest request) {
    RateLimits current = limits.get();
    List<GlobalRateLimitRule> rules = current == null ? List.of() : current.global(direction);
    if (rules.isEmpty()) {
      return StageVerdict.NEXT;
    }
    HttpRequest head = request.head();
    String path = RateLimitStage.path(head.uri());
    long now = nanoClock.getAsLong();
    int n = Math.min(rules.size(), MAX_RULES);
    long took = 0;
    long unavailable = 0;
    long over = 0;
    GlobalRateLimitRule refusing = null;
    long longestWait = -1;
    GlobalRateLimitRule denying = null;
    for (int i = 0; i < n; i++) {
      GlobalRateLimitRule rule = rules.get(i);
      if (rule.match().match(head, path) == null) {
        continue;
      }
      GlobalBudget budget = rule.state().budget(rule.key().of(request), now);
      long left = budget.take(now);
      if (left >= 0) {
        took |= 1L << i;
      } else if (left == GlobalBudget.FETCHING) {
        giveBack(rules, took, request, now);
        return StageVerdict.Later.until(budget.pending(), GlobalLimit.WAIT);
      } else if (left == GlobalBudget.UNAVAILABLE) {
        unavailable |= 1L << i;
        if (rule.failureMode() == RateLimitPolicy.FailureMode.DENY && !rule.dryRun()) {
          denying = rule;
        }
      } else {
        over |= 1L << i;
        if (rule.dryRun()) {
          continue;
        }
        long wait = -3 - left;
        if (wait > longestWait) {
          longestWait = wait;
          refusing = rule;
        }
      }
    }
    if (refusing != null || denying != null) {
      giveBack(rules, took, request, now);
    }
    count(rules, took, unavailable, over, refusing != null || denying != null);
    if (refusing != null) {
      request.record().flag(ResponseFlag.RL);
      return new StageVerdict.Answer(429, RateLimitStage.GRPC_RESOURCE_EXHAUSTED, "rate_limited",
          "rate limit exceeded", RateLimitFields.refused(refusing, longestWait), ResponseFlag.RL);
    }
    if (denying != null) {
      request.record().flag(ResponseFlag.RLSE);
      return new StageVerdict.Answer(503, GRPC_UNAVAILABLE, "rate_limit_unavailable",
          "rate limit counters unavailable", RETRY_SOON, ResponseFlag.RLSE);
    }
    return StageVerdict.NEXT;
  }

  /** Counts what each matching policy did with the request, once it is decided. */
  private static void count(List<GlobalRateLimitRule> rules, long took, long unavailable, long over,
      boolean refused) {
    long seen = took | unavailable | over;
    for (int i = 0; seen != 0; i++, seen >>>= 1) {
      if ((seen & 1) == 0) {
        continue;
      }
      GlobalRateLimitRule rule = rules.get(i);
      GlobalLimit s = rule.state();
      long bit = 1L << i;
      if ((took & bit) != 0) {
        if (!refused) {
          s.admitted.increment();
        }
      } else if ((unavailable & bit) != 0) {
        (rule.failureMode() == RateLimitPolicy.FailureMode.DENY && !rule.dryRun() ? s.failedClosed : s.failedOpen)
            .increment();
      } else if (rule.dryRun()) {
        s.shadowLimited.increment();
      } else {
        s.limited.increment();
      }
    }
  }

  private static void giveBack(List<GlobalRateLimitRule> rules, long took, StageRequest request, long now) {
    for (int i = 0; took != 0; i++, took >>>= 1) {
      if ((took & 1) != 0) {
        GlobalRateLimitRule rule = rules.get(i);
        rule.state().budget(rule.key().of(request), now).giveBack();
      }
    }
  }
}
