package io.meshwork.proxy.security.authz;

import io.meshwork.model.Resource;
import io.meshwork.model.networking.WorkloadSelector;
import io.meshwork.model.security.AuthorizationPolicy;
import io.meshwork.proxy.security.authz.AuthzDecision.Verdict;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides requests to one workload with the AuthorizationPolicies that apply to it, in Istio's
 * order (istio.io "Authorization Policy", "Implicit enablement"):
 *
 * <ol>
 *   <li>any matching DENY policy denies;
 *   <li>else, when no ALLOW policy applies to the workload, the request is allowed;
 *   <li>else a matching ALLOW policy allows, and no match denies.
 * </ol>
 *
 * AUDIT matches are reported in the decision and never change it. CUSTOM is refused at compile
 * time. Immutable and thread-safe; rebuilt with each configuration snapshot.
 */
public final class AuthorizationEngine {
  /** Istio's default mesh root namespace: its policies without selector apply mesh-wide. */
  public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";

  private static final AuthorizationEngine ALLOW_ALL = new AuthorizationEngine(List.of(), List.of(), List.of());

  private final List<CompiledPolicy> deny;
  private final List<CompiledPolicy> allow;
  private final List<CompiledPolicy> audit;

  private AuthorizationEngine(List<CompiledPolicy> deny, List<CompiledPolicy> allow, List<CompiledPolicy> audit) {
    this.deny = List.copyOf(deny);
    this.allow = List.copyOf(allow);
    this.audit = List.copyOf(audit);
  }

  /** The engine of a workload no policy applies to. */
  public static AuthorizationEngine allowAll() {
    return ALLOW_ALL;
  }

  /**
   * Compiles the policies that apply to the workload in {@code namespace} with {@code labels}: those
   * of its namespace whose selector is absent or matches, and those of {@code rootNamespace} whose
   * selector is absent or matches.
   *
   * @throws PolicyCompileException listing every problem of every applicable policy
   */
  public static AuthorizationEngine forWorkload(Collection<Resource<AuthorizationPolicy>> policies, String namespace,
      Map<String, String> labels, String rootNamespace) {
    Objects.requireNonNull(namespace, "namespace");
    Map<String, String> workloadLabels = labels == null ? Map.of() : labels;
    List<String> errors = new ArrayList<>();
    List<CompiledPolicy> deny = new ArrayList<>();
    List<CompiledPolicy> allow = new ArrayList<>();
    List<CompiledPolicy> audit = new ArrayList<>();
    // Sorted so decisions and their reasons do not depend on the order policies arrived in.
    List<Resource<AuthorizationPolicy>> sorted = policies.stream()
        .filter(p -> applies(p, namespace, workloadLabels, rootNamespace))
        .sorted(Comparator.comparing((Resource<AuthorizationPolicy> p) -> p.namespace()).thenComparing(Resource::name))
        .toList();
    for (Resource<AuthorizationPolicy> resource : sorted) {
      CompiledPolicy policy = CompiledPolicy.compile(resource, errors);
      switch (policy.action()) {
        case DENY -> deny.add(policy);
        case ALLOW -> allow.add(policy);
        case AUDIT -> audit.add(policy);
        case CUSTOM -> { } // reported as an error by compile
      }
    }
    if (!errors.isEmpty()) {
      throw new PolicyCompileException(errors);
    }
    return new AuthorizationEngine(deny, allow, audit);
  }

  /** Checks every policy compiles, whatever workload it selects; for validation before apply. */
  public static List<String> validate(Collection<Resource<AuthorizationPolicy>> policies) {
    List<String> errors = new ArrayList<>();
    policies.forEach(p -> CompiledPolicy.compile(p, errors));
    return List.copyOf(errors);
  }

  public AuthzDecision evaluate(RequestAttributes request) {
    return evaluate(request, false);
  }

  /**
   * Decides on a TCP connection (an opaque tunnel), which has a peer identity, addresses and ports
   * but no HTTP request: HTTP-only fields in a DENY rule are ignored and an ALLOW rule with one never
   * matches, as Istio decides for TCP.
   */
  public AuthzDecision evaluateConnection(RequestAttributes connection) {
    return evaluate(connection, true);
  }

  private AuthzDecision evaluate(RequestAttributes request, boolean connection) {
    List<String> audits = new ArrayList<>();
    for (CompiledPolicy policy : audit) {
      if (match(policy, request, connection) >= 0) {
        audits.add(policy.id());
      }
    }
    for (CompiledPolicy policy : deny) {
      int rule = match(policy, request, connection);
      if (rule >= 0) {
        return new AuthzDecision(Verdict.DENY, policy.id(), rule, AuthzDecision.DENIED_BY_POLICY, audits);
      }
    }
    if (allow.isEmpty()) {
      return new AuthzDecision(Verdict.ALLOW, null, -1, AuthzDecision.NO_ALLOW_POLICY, audits);
    }
    for (CompiledPolicy policy : allow) {
      int rule = match(policy, request, connection);
      if (rule >= 0) {
        return new AuthzDecision(Verdict.ALLOW, policy.id(), rule, AuthzDecision.ALLOWED_BY_POLICY, audits);
      }
    }
    return new AuthzDecision(Verdict.DENY, null, -1, AuthzDecision.NO_MATCHING_ALLOW, audits);
  }

  private static int match(CompiledPolicy policy, RequestAttributes request, boolean connection) {
    return connection ? policy.firstConnectionMatch(request) : policy.firstMatch(request);
  }

  /** "namespace/name" of every policy in effect, DENY first; for the admin /config dump. */
  public List<String> policies() {
    List<String> ids = new ArrayList<>();
    deny.forEach(p -> ids.add("DENY " + p.id()));
    allow.forEach(p -> ids.add("ALLOW " + p.id()));
    audit.forEach(p -> ids.add("AUDIT " + p.id()));
    return List.copyOf(ids);
  }

  private static boolean applies(Resource<AuthorizationPolicy> policy, String namespace, Map<String, String> labels,
      String rootNamespace) {
    boolean local = policy.namespace().equals(namespace);
    boolean meshWide = rootNamespace != null && policy.namespace().equals(rootNamespace);
    if (!local && !meshWide) {
      return false;
    }
    WorkloadSelector selector = policy.spec().selector();
    return selector == null || selector.matches(labels);
  }
}
