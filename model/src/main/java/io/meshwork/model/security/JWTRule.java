package io.meshwork.model.security;

import io.meshwork.model.internal.Copies;
import java.util.List;

/**
 * Istio JWTRule.
 *
 * @param issuer required, the token's {@code iss}
 * @param audiences empty accepts any audience
 * @param jwksUri and {@code jwks} (inline JSON) are exclusive; neither means OpenID discovery on the issuer
 * @param fromHeaders empty means {@code Authorization: Bearer}
 * @param forwardOriginalToken null means false
 */
public record JWTRule(
    String issuer,
    List<String> audiences,
    String jwksUri,
    String jwks,
    List<JWTHeader> fromHeaders,
    List<String> fromParams,
    String outputPayloadToHeader,
    Boolean forwardOriginalToken,
    List<ClaimToHeader> outputClaimToHeaders) {
  public JWTRule {
    audiences = Copies.list(audiences);
    fromHeaders = Copies.list(fromHeaders);
    fromParams = Copies.list(fromParams);
    outputClaimToHeaders = Copies.list(outputClaimToHeaders);
  }
}
