package io.meshwork.proxy.security.authn;

import java.util.List;
import java.util.Map;

/** What {@link JwtAuthenticator} found in a request. */
public sealed interface JwtResult {

  /** No token in any configured location: the request passes on without a request principal. */
  record NoToken() implements JwtResult {}

  /**
   * A valid token.
   *
   * @param principal "iss/sub", Istio's {@code request.auth.principal}
   * @param claims the payload as JSON values (String, Number, Boolean, List, Map)
   * @param headersToAdd {@code outputClaimToHeaders} and {@code outputPayloadToHeader} results
   * @param headersToRemove where the token came from, when {@code forwardOriginalToken} is false
   * @param paramsToRemove query parameters that carried the token, likewise
   */
  record Authenticated(String principal, String issuer, String subject, Map<String, Object> claims,
      Map<String, String> headersToAdd, List<String> headersToRemove, List<String> paramsToRemove) implements JwtResult {
    public Authenticated {
      claims = Map.copyOf(claims);
      headersToAdd = Map.copyOf(headersToAdd);
      headersToRemove = List.copyOf(headersToRemove);
      paramsToRemove = List.copyOf(paramsToRemove);
    }
  }

  /** A token was present and is not acceptable: answer 401 with {@code reason}. */
  record Rejected(String reason) implements JwtResult {}
}
