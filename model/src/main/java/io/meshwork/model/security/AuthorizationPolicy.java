package io.meshwork.model.security;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import io.meshwork.model.networking.WorkloadSelector;
import java.util.List;

/**
 * Istio AuthorizationPolicy. A request matches the policy when it matches any rule; a rule matches
 * when all of its from, to and when blocks do. With no rules, an ALLOW policy matches nothing and a
 * DENY policy matches nothing either (Istio semantics).
 *
 * @param selector null selects every workload in the namespace (the root namespace: the whole mesh)
 * @param action null means ALLOW
 * @param provider for CUSTOM, which Meshwork rejects for now; else null
 */
public record AuthorizationPolicy(WorkloadSelector selector, Action action, List<Rule> rules, Provider provider)
    implements Spec {
  public enum Action {
    ALLOW,
    DENY,
    AUDIT,
    CUSTOM
  }

  public AuthorizationPolicy {
    rules = Copies.list(rules);
  }

  /** Istio ExtensionProvider reference of a CUSTOM policy. */
  public record Provider(String name) {}
}
