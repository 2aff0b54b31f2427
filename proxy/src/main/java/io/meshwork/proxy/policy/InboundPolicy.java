package io.meshwork.proxy.policy;

import io.meshwork.proxy.security.authn.JwtAuthenticator;
import io.meshwork.proxy.security.authz.AuthorizationEngine;
import io.meshwork.proxy.security.authz.PathNormalizer;
import java.util.Objects;
import java.util.Set;

/**
 * What the inbound port checks before a request reaches the local app, in Istio's filter order:
 * path normalization, request authentication (JWT), API keys, then authorization.
 *
 * @param paths how request paths are normalized; policies and the app both see the result
 * @param jwt the RequestAuthentication rules of the workload, or null when none apply
 * @param jwtOutputHeaders headers the JWT rules write (outputPayloadToHeader, outputClaimToHeaders),
 *     lower case; removed from every request first so a caller cannot forge them
 * @param apiKeys whether and which API keys are required
 * @param authz the AuthorizationPolicies of the workload
 * @param brokenReason non-null when a policy applying to the workload could not be compiled: then
 *     every request is denied, since enforcing the rest would allow what the broken one may deny
 */
public record InboundPolicy(
    PathNormalizer paths,
    JwtAuthenticator jwt,
    Set<String> jwtOutputHeaders,
    ApiKeyRequirement apiKeys,
    AuthorizationEngine authz,
    String brokenReason) {

  /** No policy applies: every request is allowed, as in Istio without policies. */
  public static final InboundPolicy ALLOW_ALL = new InboundPolicy(PathNormalizer.defaults(), null, Set.of(),
      ApiKeyRequirement.NONE, AuthorizationEngine.allowAll(), null);

  public InboundPolicy {
    Objects.requireNonNull(paths, "paths");
    jwtOutputHeaders = Set.copyOf(jwtOutputHeaders);
    apiKeys = apiKeys == null ? ApiKeyRequirement.NONE : apiKeys;
    // Folded into the shared instance so the per-request test below is a reference comparison.
    authz = authz == null || authz.policies().isEmpty() ? AuthorizationEngine.allowAll() : authz;
  }

  /** A policy that denies every request, for a workload whose policies could not be compiled. */
  public static InboundPolicy denyAll(PathNormalizer paths, String reason) {
    return new InboundPolicy(paths, null, Set.of(), ApiKeyRequirement.NONE, AuthorizationEngine.allowAll(),
        Objects.requireNonNull(reason, "reason"));
  }

  /** Whether requests need more than path normalization; false keeps the per-request work minimal. */
  public boolean checksRequests() {
    return jwt != null || apiKeys.required() || authorizes() || brokenReason != null;
  }

  /** Whether any AuthorizationPolicy applies to the workload. */
  public boolean authorizes() {
    return authz != AuthorizationEngine.allowAll();
  }
}
