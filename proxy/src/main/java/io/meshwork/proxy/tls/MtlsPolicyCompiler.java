package io.meshwork.proxy.tls;

import io.meshwork.model.Resource;
import io.meshwork.model.security.MutualTLS;
import io.meshwork.model.security.PeerAuthentication;
import io.meshwork.proxy.config.LocalService;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Compiles the PeerAuthentication resources that select the local workload into its {@link MtlsPolicy}.
 *
 * <p>Istio semantics: a policy in the root namespace ({@code istio-system}) without selector is
 * mesh-wide, one without selector in the workload's namespace is namespace-wide, one whose
 * {@code selector.matchLabels} match the workload is workload-specific. The most specific level
 * wins, UNSET inherits from the level above, and with nothing set the mode is PERMISSIVE.
 * {@code portLevelMtls} applies only in a workload-specific policy. When several policies tie at one
 * level, Istio takes the oldest; without creation times we take the first by name and note the rest.
 */
public final class MtlsPolicyCompiler {
  /** Istio's default root namespace, where a selector-less policy applies to the whole mesh. */
  public static final String ROOT_NAMESPACE = "istio-system";

  private MtlsPolicyCompiler() {}

  /**
   * @param resources every applied resource, already validated
   * @param local the workload the sidecar serves
   * @param notices receives one line per field that is accepted but not enforced
   */
  public static MtlsPolicy compile(Collection<Resource<?>> resources, LocalService local, Consumer<String> notices) {
    List<Resource<PeerAuthentication>> policies = new ArrayList<>();
    for (Resource<?> r : resources) {
      if (r.spec() instanceof PeerAuthentication) {
        @SuppressWarnings("unchecked")
        Resource<PeerAuthentication> pa = (Resource<PeerAuthentication>) r;
        policies.add(pa);
      }
    }
    policies.sort(Comparator.comparing(Resource::key));
    Resource<PeerAuthentication> mesh = null;
    Resource<PeerAuthentication> namespace = null;
    Resource<PeerAuthentication> workload = null;
    for (Resource<PeerAuthentication> r : policies) {
      PeerAuthentication spec = r.spec();
      boolean selectorLess = spec.selector() == null || spec.selector().matchLabels().isEmpty();
      if (selectorLess && !spec.portLevelMtls().isEmpty()) {
        notices.accept(subject(r) + ": spec.portLevelMtls needs a selector; ignored (Istio semantics)");
      }
      if (selectorLess && r.namespace().equals(ROOT_NAMESPACE)) {
        mesh = first(mesh, r, "mesh-wide", notices);
      } else if (!r.namespace().equals(local.namespace())) {
        continue;
      } else if (selectorLess) {
        namespace = first(namespace, r, "namespace-wide", notices);
      } else if (spec.selector().matches(local.labels())) {
        workload = first(workload, r, "workload", notices);
      }
    }
    PeerMode mode = PeerMode.PERMISSIVE;
    mode = inherit(mode, mesh);
    mode = inherit(mode, namespace);
    mode = inherit(mode, workload);
    Map<Integer, PeerMode> ports = new HashMap<>();
    if (workload != null) {
      for (Map.Entry<Integer, MutualTLS> e : workload.spec().portLevelMtls().entrySet()) {
        PeerMode byPort = resolved(e.getValue());
        if (e.getKey() != null && byPort != null) {
          ports.put(e.getKey(), byPort);
        }
      }
    }
    return new MtlsPolicy(mode, ports);
  }

  private static Resource<PeerAuthentication> first(Resource<PeerAuthentication> kept, Resource<PeerAuthentication> next,
      String level, Consumer<String> notices) {
    if (kept == null) {
      return next;
    }
    notices.accept(subject(next) + ": another " + level + " PeerAuthentication (" + subject(kept)
        + ") already applies; ignored");
    return kept;
  }

  private static PeerMode inherit(PeerMode parent, Resource<PeerAuthentication> policy) {
    if (policy == null) {
      return parent;
    }
    PeerMode own = resolved(policy.spec().mtls());
    return own == null ? parent : own;
  }

  /** Null for UNSET, which inherits. */
  private static PeerMode resolved(MutualTLS mtls) {
    if (mtls == null || mtls.mode() == null) {
      return null;
    }
    return switch (mtls.mode()) {
      case UNSET -> null;
      case DISABLE -> PeerMode.DISABLE;
      case PERMISSIVE -> PeerMode.PERMISSIVE;
      case STRICT -> PeerMode.STRICT;
    };
  }

  private static String subject(Resource<?> r) {
    return "PeerAuthentication " + r.namespace() + "/" + r.name();
  }
}
