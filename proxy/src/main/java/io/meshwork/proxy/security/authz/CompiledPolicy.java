package io.meshwork.proxy.security.authz;

import io.meshwork.model.Resource;
import io.meshwork.model.security.AuthorizationPolicy;
import io.meshwork.model.security.AuthorizationPolicy.Action;
import io.meshwork.model.security.From;
import io.meshwork.model.security.Rule;
import io.meshwork.model.security.To;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One AuthorizationPolicy ready to evaluate: its rules as predicates, in document order, once for
 * HTTP requests and once for TCP connections (where HTTP-only fields read as Istio reads them).
 *
 * @param id "namespace/name"
 * @param action ALLOW, DENY or AUDIT (CUSTOM never compiles)
 */
record CompiledPolicy(String id, Action action, List<Predicate<RequestAttributes>> rules,
    List<Predicate<RequestAttributes>> connectionRules) {

  /** Index of the first rule matching an HTTP request, or -1. A policy without rules matches nothing (Istio). */
  int firstMatch(RequestAttributes request) {
    return firstMatch(rules, request);
  }

  /** Index of the first rule matching a TCP connection (no HTTP facts), or -1. */
  int firstConnectionMatch(RequestAttributes connection) {
    return firstMatch(connectionRules, connection);
  }

  private static int firstMatch(List<Predicate<RequestAttributes>> rules, RequestAttributes request) {
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i).test(request)) {
        return i;
      }
    }
    return -1;
  }

  /** Compiles {@code resource}, adding "AuthorizationPolicy ns/name: ..." messages to {@code errors}. */
  static CompiledPolicy compile(Resource<AuthorizationPolicy> resource, List<String> errors) {
    String id = resource.namespace() + "/" + resource.name();
    AuthorizationPolicy spec = resource.spec();
    Action action = spec.action() == null ? Action.ALLOW : spec.action();
    List<String> local = new ArrayList<>();
    if (action == Action.CUSTOM) {
      local.add("action: CUSTOM (expected: ALLOW, DENY or AUDIT; external authorization is not supported)");
    } else if (spec.provider() != null) {
      local.add("provider: " + spec.provider().name() + " (expected: only with action CUSTOM)");
    }
    List<Predicate<RequestAttributes>> rules = rules(spec, new RequestMatchers(local));
    // The same fields once more for TCP; their errors were reported by the first pass.
    List<Predicate<RequestAttributes>> connectionRules = rules(spec, new RequestMatchers(new ArrayList<>(),
        action == Action.DENY ? RequestMatchers.HttpOnlyFields.IGNORED : RequestMatchers.HttpOnlyFields.NEVER_MATCH));
    local.forEach(message -> errors.add("AuthorizationPolicy " + id + ": " + message));
    return new CompiledPolicy(id, action, rules, connectionRules);
  }

  private static List<Predicate<RequestAttributes>> rules(AuthorizationPolicy spec, RequestMatchers matchers) {
    List<Predicate<RequestAttributes>> rules = new ArrayList<>();
    for (int r = 0; r < spec.rules().size(); r++) {
      Rule rule = spec.rules().get(r);
      String field = "rules[" + r + "]";
      if (rule == null) {
        rules.add(request -> true);
        continue;
      }
      List<Predicate<RequestAttributes>> parts = new ArrayList<>();
      if (!rule.from().isEmpty()) {
        List<Predicate<RequestAttributes>> sources = new ArrayList<>();
        for (int i = 0; i < rule.from().size(); i++) {
          From from = rule.from().get(i);
          sources.add(matchers.source(field + ".from[" + i + "].source", from == null ? null : from.source()));
        }
        parts.add(RequestMatchers.anyOf(sources));
      }
      if (!rule.to().isEmpty()) {
        List<Predicate<RequestAttributes>> operations = new ArrayList<>();
        for (int i = 0; i < rule.to().size(); i++) {
          To to = rule.to().get(i);
          operations.add(matchers.operation(field + ".to[" + i + "].operation", to == null ? null : to.operation()));
        }
        parts.add(RequestMatchers.anyOf(operations));
      }
      for (int i = 0; i < rule.when().size(); i++) {
        parts.add(matchers.condition(field + ".when[" + i + "]", rule.when().get(i)));
      }
      rules.add(RequestMatchers.allOf(parts));
    }
    return List.copyOf(rules);
  }
}
