package io.meshwork.proxy.policy;

/**
 * What the inbound port checks before a request reaches the local app: request authentication
 * (JWT), API keys and authorization. (Placeholder shape: the policy work replaces it.)
 */
public record InboundPolicy() {
  /** No policy applies: every request is allowed, as in Istio without policies. */
  public static final InboundPolicy ALLOW_ALL = new InboundPolicy();
}
