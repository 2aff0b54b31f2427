package io.meshwork.proxy.policy;

import io.meshwork.model.Kind;
import io.meshwork.model.Resource;
import io.meshwork.model.meshwork.ApiKey;
import io.meshwork.model.security.AuthorizationPolicy;
import io.meshwork.model.security.ClaimToHeader;
import io.meshwork.model.security.JWTRule;
import io.meshwork.model.security.RequestAuthentication;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.security.authn.JwksCache;
import io.meshwork.proxy.security.authn.JwtAuthenticator;
import io.meshwork.proxy.security.authz.AuthorizationEngine;
import io.meshwork.proxy.security.authz.PathNormalizer;
import io.meshwork.proxy.security.authz.PolicyCompileException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles AuthorizationPolicy, RequestAuthentication and ApiKey resources that apply to the local
 * workload into its {@link InboundPolicy}. Policies of the workload's namespace apply when their
 * selector is absent or matches its labels; those of the root namespace ({@code istio-system})
 * apply mesh-wide likewise (Istio's semantics).
 */
public final class InboundPolicyCompiler {
  private static final Logger log = LoggerFactory.getLogger(InboundPolicyCompiler.class);
  private static final Duration WARM_TIMEOUT = Duration.ofSeconds(2);
  private static final JwksCache JWKS = new JwksCache(RemoteJwks.shared(), Clock.systemUTC(), JwksCache.DEFAULT_TTL);

  private InboundPolicyCompiler() {}

  /**
   * @param resources every applied resource, already validated
   * @param local the workload the sidecar serves
   * @param notices receives one line per field that is accepted but not enforced, and per policy
   *     that could not be compiled
   */
  public static InboundPolicy compile(Collection<Resource<?>> resources, LocalService local, Consumer<String> notices) {
    return compile(resources, local, notices, JWKS, RemoteJwks.shared(), Clock.systemUTC());
  }

  /** As {@link #compile(Collection, LocalService, Consumer)}, with the key sets and clock given. */
  @SuppressWarnings("unchecked")
  public static InboundPolicy compile(Collection<Resource<?>> resources, LocalService local, Consumer<String> notices,
      JwksCache jwks, RemoteJwks remote, Clock clock) {
    List<Resource<AuthorizationPolicy>> authorization = new ArrayList<>();
    List<Resource<RequestAuthentication>> authentication = new ArrayList<>();
    List<Resource<ApiKey>> apiKeys = new ArrayList<>();
    for (Resource<?> r : resources) {
      if (r.kind() == Kind.AUTHORIZATION_POLICY) {
        authorization.add((Resource<AuthorizationPolicy>) r);
      } else if (r.kind() == Kind.REQUEST_AUTHENTICATION) {
        authentication.add((Resource<RequestAuthentication>) r);
      } else if (r.kind() == Kind.API_KEY) {
        apiKeys.add((Resource<ApiKey>) r);
      }
    }
    PathNormalizer paths = PathNormalizer.defaults();
    String root = AuthorizationEngine.DEFAULT_ROOT_NAMESPACE;
    AuthorizationEngine engine;
    try {
      engine = AuthorizationEngine.forWorkload(authorization, local.namespace(), local.labels(), root);
    } catch (PolicyCompileException e) {
      return broken(paths, e.errors(), notices);
    }
    JwtAuthenticator jwt = null;
    Set<String> outputHeaders = new HashSet<>();
    List<Resource<RequestAuthentication>> applicable = authentication.stream()
        .filter(r -> r.namespace().equals(local.namespace()) || r.namespace().equals(root))
        .filter(r -> r.spec().selector() == null || r.spec().selector().matches(local.labels()))
        .toList();
    if (!applicable.isEmpty()) {
      try {
        jwt = JwtAuthenticator.forWorkload(applicable, local.namespace(), local.labels(), root, jwks, clock);
      } catch (IllegalArgumentException e) {
        return broken(paths, e.getMessage().lines().toList(), notices);
      }
      for (Resource<RequestAuthentication> r : applicable) {
        for (JWTRule rule : r.spec().jwtRules()) {
          if (rule.outputPayloadToHeader() != null && !rule.outputPayloadToHeader().isEmpty()) {
            outputHeaders.add(rule.outputPayloadToHeader().toLowerCase(Locale.ROOT));
          }
          for (ClaimToHeader mapping : rule.outputClaimToHeaders()) {
            outputHeaders.add(mapping.header().toLowerCase(Locale.ROOT));
          }
          // Fetched here, off the event loop, so the first tokens after a start find their keys.
          // Failures are logged by the fetcher and retried in the background; snapshot notices stay
          // independent of the network.
          if (rule.jwksUri() != null && remote != null) {
            remote.warm(URI.create(rule.jwksUri()), WARM_TIMEOUT);
          }
        }
      }
    }
    ApiKeyRequirement keys = ApiKeyRequirement.compile(apiKeys, local, notices);
    return new InboundPolicy(paths, jwt, outputHeaders, keys, engine, null);
  }

  private static InboundPolicy broken(PathNormalizer paths, List<String> errors, Consumer<String> notices) {
    errors.forEach(error -> notices.accept(error + "; every inbound request is denied until this is fixed"));
    log.error("inbound policy cannot be compiled; denying every request: {}", String.join("; ", errors));
    return InboundPolicy.denyAll(paths, errors.getFirst());
  }
}
