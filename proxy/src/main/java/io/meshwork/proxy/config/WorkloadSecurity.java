package io.meshwork.proxy.config;

import io.meshwork.proxy.policy.InboundPolicy;
import io.meshwork.proxy.tls.MtlsPolicy;

/**
 * The security of the local workload, compiled with the rest of a snapshot so that a policy change
 * swaps in atomically with the routes.
 *
 * @param mtls what the inbound port requires of peers (PeerAuthentication)
 * @param inbound what every inbound request is checked against (authorization, JWT, API keys)
 */
public record WorkloadSecurity(MtlsPolicy mtls, InboundPolicy inbound) {
  public static final WorkloadSecurity OPEN = new WorkloadSecurity(MtlsPolicy.DEFAULT, InboundPolicy.ALLOW_ALL);

  public WorkloadSecurity {
    mtls = mtls == null ? MtlsPolicy.DEFAULT : mtls;
    inbound = inbound == null ? InboundPolicy.ALLOW_ALL : inbound;
  }
}
