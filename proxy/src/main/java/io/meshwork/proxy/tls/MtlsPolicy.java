package io.meshwork.proxy.tls;

import java.util.Map;
import java.util.Objects;

/**
 * How the local workload's inbound port treats TLS from peers, compiled from PeerAuthentication.
 *
 * @param mode the workload-wide mode
 * @param ports inbound port number → mode ({@code portLevelMtls}), overriding {@code mode}
 */
public record MtlsPolicy(PeerMode mode, Map<Integer, PeerMode> ports) {
  /** No PeerAuthentication anywhere: Istio's default is PERMISSIVE. */
  public static final MtlsPolicy DEFAULT = new MtlsPolicy(PeerMode.PERMISSIVE, Map.of());

  public MtlsPolicy {
    Objects.requireNonNull(mode, "mode");
    ports = Map.copyOf(ports);
  }

  /** The mode of the first of {@code candidates} that has a port-level mode, else the workload's. */
  public PeerMode modeFor(int... candidates) {
    for (int port : candidates) {
      PeerMode byPort = ports.get(port);
      if (byPort != null) {
        return byPort;
      }
    }
    return mode;
  }
}
