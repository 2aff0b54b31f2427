package io.meshwork.proxy.egress;

import java.util.Locale;

/**
 * What a sidecar does with a request for a host that is neither a mesh service nor listed by a
 * ServiceEntry (Istio MeshConfig {@code outboundTrafficPolicy.mode}).
 */
public enum OutboundTrafficPolicy {
  /** Istio's default: the request goes to the host the caller named (Istio's PassthroughCluster). */
  ALLOW_ANY,
  /** Only registry hosts are reachable; anything else is answered 502 (Istio's BlackHoleCluster). */
  REGISTRY_ONLY;

  /** Istio's default when meshConfig says nothing. */
  public static final OutboundTrafficPolicy DEFAULT = ALLOW_ANY;

  /**
   * Parses a mode as Istio spells it ({@code ALLOW_ANY}, {@code REGISTRY_ONLY}); case and dashes are forgiven.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static OutboundTrafficPolicy parse(String mode) {
    String m = mode == null ? "" : mode.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (OutboundTrafficPolicy p : values()) {
      if (p.name().equals(m)) {
        return p;
      }
    }
    throw new IllegalArgumentException("outboundTrafficPolicy: " + mode + " (expected: ALLOW_ANY or REGISTRY_ONLY)");
  }
}
