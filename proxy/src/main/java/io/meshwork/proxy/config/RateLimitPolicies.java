package io.meshwork.proxy.config;

import io.meshwork.model.Kind;
import io.meshwork.model.Resource;
import io.meshwork.model.meshwork.RateLimitPolicy;
import io.meshwork.proxy.ratelimit.CallerKey;
import io.meshwork.proxy.ratelimit.GlobalCounters;
import io.meshwork.proxy.ratelimit.GlobalLimit;
import io.meshwork.proxy.ratelimit.GlobalRateLimitRule;
import io.meshwork.proxy.ratelimit.RateLimitRule;
import io.meshwork.proxy.ratelimit.RateLimits;
import io.meshwork.proxy.route.RouteMatch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * RateLimitPolicies to the workload's {@link RateLimits}. A policy applies when it is in the
 * workload's namespace and its selector is absent or matches the workload's labels. Buckets live
 * as long as their policy is unchanged: a snapshot compiled for an endpoint change keeps them, an
 * edited policy starts full. A GLOBAL policy keeps its leased shares the same way.
 */
final class RateLimitPolicies {
  /** Caller buckets one policy holds at most before the least recently used is dropped. */
  static final int MAX_CALLERS = 10_000;

  private final LongSupplier nanoClock;
  private final GlobalCounters counters;
  private Map<Object, RateLimitRule.State> states = Map.of();
  private Map<Object, GlobalLimit> globalStates = Map.of();

  RateLimitPolicies(LongSupplier nanoClock) {
    this(nanoClock, GlobalCounters.NONE);
  }

  RateLimitPolicies(LongSupplier nanoClock, GlobalCounters counters) {
    this.nanoClock = nanoClock;
    this.counters = counters;
  }

  @SuppressWarnings("unchecked")
  RateLimits compile(Collection<Resource<?>> resources, LocalService local, MatchCompiler matches, Notices notices) {
    List<RateLimitRule> inbound = new ArrayList<>();
    List<RateLimitRule> outbound = new ArrayList<>();
    List<GlobalRateLimitRule> globalInbound = new ArrayList<>();
    List<GlobalRateLimitRule> globalOutbound = new ArrayList<>();
    Map<Object, RateLimitRule.State> kept = new HashMap<>();
    Map<Object, GlobalLimit> keptGlobal = new HashMap<>();
    List<Resource<RateLimitPolicy>> applicable = new ArrayList<>();
    for (Resource<?> r : resources) {
      if (r.kind() == Kind.RATE_LIMIT_POLICY && r.namespace().equals(local.namespace())) {
        Resource<RateLimitPolicy> p = (Resource<RateLimitPolicy>) r;
        if (p.spec().selector() == null || p.spec().selector().matches(local.labels())) {
          applicable.add(p);
        }
      }
    }
    applicable.sort((a, b) -> a.key().compareTo(b.key()));
    for (Resource<RateLimitPolicy> p : applicable) {
      RateLimitPolicy spec = p.spec();
      RouteMatch match;
      try {
        match = matches.compile(spec.match(), "spec.match");
      } catch (IllegalArgumentException e) {
        notices.add(p, "spec", "is ignored: " + e.getMessage());
        continue;
      }
      if (match == null) {
        continue; // no match block can apply to this workload
      }
      CallerKey key = key(spec.per());
      Object identity = List.of(p.key(), spec);
      if (spec.scope() == RateLimitPolicy.Scope.GLOBAL) {
        if (counters == GlobalCounters.NONE) {
          notices.add(p, "spec.scope", "GLOBAL needs a control plane to hold its counters; without one this sidecar"
              + " applies failureMode " + failureMode(spec) + " to every request the policy matches");
        }
        GlobalLimit global = globalStates.get(identity);
        if (global == null) {
          global = new GlobalLimit(local.namespace(), p.name(), counters, spec.requestsPerUnit(), MAX_CALLERS,
              nanoClock);
        }
        keptGlobal.put(identity, global);
        GlobalRateLimitRule rule = new GlobalRateLimitRule(p.name(), direction(spec), match, key,
            spec.requestsPerUnit(), seconds(spec.unit()), Boolean.TRUE.equals(spec.dryRun()), failureMode(spec),
            global);
        (rule.direction() == RateLimitPolicy.Direction.OUTBOUND ? globalOutbound : globalInbound).add(rule);
        continue;
      }
      RateLimitRule.State state = states.get(identity);
      if (state == null) {
        state = new RateLimitRule.State(!(key instanceof CallerKey.Shared), MAX_CALLERS, nanoClock.getAsLong());
      }
      kept.put(identity, state);
      int limit = spec.requestsPerUnit();
      RateLimitRule rule = new RateLimitRule(p.name(), direction(spec), match, key, limit, seconds(spec.unit()),
          (long) limit + (spec.burst() == null ? 0 : spec.burst()), Boolean.TRUE.equals(spec.dryRun()), state);
      (rule.direction() == RateLimitPolicy.Direction.OUTBOUND ? outbound : inbound).add(rule);
    }
    states = kept;
    globalStates = keptGlobal;
    return inbound.isEmpty() && outbound.isEmpty() && globalInbound.isEmpty() && globalOutbound.isEmpty()
        ? RateLimits.NONE : new RateLimits(inbound, outbound, globalInbound, globalOutbound);
  }

  private static RateLimitPolicy.FailureMode failureMode(RateLimitPolicy spec) {
    return spec.failureMode() == null ? RateLimitPolicy.FailureMode.ALLOW : spec.failureMode();
  }

  private static RateLimitPolicy.Direction direction(RateLimitPolicy spec) {
    return spec.direction() == null ? RateLimitPolicy.Direction.INBOUND : spec.direction();
  }

  private static CallerKey key(RateLimitPolicy.Per per) {
    if (per == null) {
      return new CallerKey.Shared();
    }
    if (per.header() != null) {
      return new CallerKey.Header(per.header());
    }
    return switch (per.source()) {
      case PRINCIPAL -> new CallerKey.Principal();
      case NAMESPACE -> new CallerKey.Namespace();
      case IP -> new CallerKey.Ip();
    };
  }

  static long seconds(RateLimitPolicy.Unit unit) {
    return switch (unit == null ? RateLimitPolicy.Unit.SECOND : unit) {
      case SECOND -> 1;
      case MINUTE -> 60;
      case HOUR -> 3_600;
      case DAY -> 86_400;
    };
  }
}
