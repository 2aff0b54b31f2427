package io.meshwork.model.kube;

import io.meshwork.model.internal.Copies;
import java.util.Map;

/**
 * Istio MeshConfig {@code outboundTrafficPolicy}: what a sidecar does with traffic for a host that is
 * neither a mesh service nor listed by a ServiceEntry.
 *
 * @param mode {@code ALLOW_ANY} (Istio's default) passes such traffic through to the host the caller
 *     named; {@code REGISTRY_ONLY} refuses it. Null means the default.
 * @param egressProxy Istio's egress proxy destination, kept loose (accepted, not enforced)
 */
public record OutboundTrafficPolicy(Mode mode, Map<String, Object> egressProxy) {
  /** Istio's MeshConfig.OutboundTrafficPolicy.Mode. */
  public enum Mode { REGISTRY_ONLY, ALLOW_ANY }

  public OutboundTrafficPolicy {
    egressProxy = Copies.map(egressProxy);
  }
}
