package io.meshwork.model.security;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import io.meshwork.model.networking.WorkloadSelector;
import java.util.List;

/**
 * Istio RequestAuthentication: which JWTs a workload accepts. A request with an invalid token is
 * rejected; a request without a token is accepted (pair with an AuthorizationPolicy to require one).
 */
public record RequestAuthentication(WorkloadSelector selector, List<JWTRule> jwtRules) implements Spec {
  public RequestAuthentication {
    jwtRules = Copies.list(jwtRules);
  }
}
