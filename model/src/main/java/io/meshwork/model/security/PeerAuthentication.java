package io.meshwork.model.security;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import io.meshwork.model.networking.WorkloadSelector;
import java.util.Map;

/**
 * Istio PeerAuthentication: whether inbound traffic must be mutual TLS.
 *
 * @param selector null applies to the whole namespace
 * @param mtls null inherits from the namespace or mesh policy
 * @param portLevelMtls port number to mode; requires a selector
 */
public record PeerAuthentication(WorkloadSelector selector, MutualTLS mtls, Map<Integer, MutualTLS> portLevelMtls)
    implements Spec {
  public PeerAuthentication {
    portLevelMtls = Copies.map(portLevelMtls);
  }
}
