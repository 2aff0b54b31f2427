package io.meshwork.control.ca;

import io.meshwork.model.identity.SpiffeId;
import java.time.Duration;
import java.util.Objects;

/**
 * How the CA issues.
 *
 * @param trustDomain the SPIFFE trust domain every issued identity belongs to
 * @param rootValidity lifetime of a generated root (Istio's self-signed root: 10 years)
 * @param defaultLeafTtl lifetime of a leaf when the caller asks for none (Istio: 24 h)
 * @param maxLeafTtl the longest lifetime a caller may ask for (Istio's default cap: 90 days)
 * @param maxTokenTtl the longest lifetime of a join token (default 30 days: a leaked token must not stay useful)
 */
public record CaConfig(String trustDomain, Duration rootValidity, Duration defaultLeafTtl, Duration maxLeafTtl,
    Duration maxTokenTtl) {
  public static final String DEFAULT_TRUST_DOMAIN = "cluster.local";

  public CaConfig {
    Objects.requireNonNull(trustDomain, "trustDomain");
    SpiffeId.forTrustDomain(trustDomain);
    requirePositive("rootValidity", rootValidity);
    requirePositive("defaultLeafTtl", defaultLeafTtl);
    requirePositive("maxLeafTtl", maxLeafTtl);
    requirePositive("maxTokenTtl", maxTokenTtl);
    if (defaultLeafTtl.compareTo(maxLeafTtl) > 0) {
      throw new IllegalArgumentException("defaultLeafTtl: " + defaultLeafTtl + " (expected: <= maxLeafTtl " + maxLeafTtl + ")");
    }
    if (maxLeafTtl.compareTo(rootValidity) >= 0) {
      throw new IllegalArgumentException("maxLeafTtl: " + maxLeafTtl + " (expected: < rootValidity " + rootValidity + ")");
    }
  }

  public CaConfig(String trustDomain, Duration rootValidity, Duration defaultLeafTtl, Duration maxLeafTtl) {
    this(trustDomain, rootValidity, defaultLeafTtl, maxLeafTtl, JoinTokens.DEFAULT_MAX_TTL);
  }

  public CaConfig withMaxTokenTtl(Duration ttl) {
    return new CaConfig(trustDomain, rootValidity, defaultLeafTtl, maxLeafTtl, ttl);
  }

  public static CaConfig defaults() {
    return forTrustDomain(DEFAULT_TRUST_DOMAIN);
  }

  public static CaConfig forTrustDomain(String trustDomain) {
    return new CaConfig(trustDomain, Duration.ofDays(3650), Duration.ofHours(24), Duration.ofDays(90));
  }

  private static void requirePositive(String field, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: > 0)");
    }
  }
}
