package io.meshwork.proxy.security.authn;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remote key sets by URI, kept for a TTL. When a refresh fails the previous keys stay in use
 * (Envoy keeps serving with a stale JWKS rather than failing every request); with no keys at all
 * the lookup fails and tokens of that issuer are rejected.
 */
public final class JwksCache {
  /** Envoy's default {@code remote_jwks.cache_duration}. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  private record Entry(JWKSet keys, Instant fetchedAt) {}

  private final JwksFetcher fetcher;
  private final Clock clock;
  private final Duration ttl;
  private final Map<URI, Entry> entries = new ConcurrentHashMap<>();

  public JwksCache(JwksFetcher fetcher, Clock clock, Duration ttl) {
    this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
    }
    this.ttl = ttl;
  }

  /** The keys at {@code uri}, fetched when absent or older than the TTL. */
  public Optional<JWKSet> keys(URI uri) {
    Entry entry = entries.get(uri);
    Instant now = clock.instant();
    if (entry != null && now.isBefore(entry.fetchedAt().plus(ttl))) {
      return Optional.of(entry.keys());
    }
    try {
      JWKSet fresh = JWKSet.parse(fetcher.fetch(uri));
      entries.put(uri, new Entry(fresh, now));
      return Optional.of(fresh);
    } catch (IOException | ParseException | RuntimeException e) {
      return entry == null ? Optional.empty() : Optional.of(entry.keys());
    }
  }

  /** Fetches {@code uri} now whatever its age; for warming the cache off the request path. */
  public boolean refresh(URI uri) {
    try {
      entries.put(uri, new Entry(JWKSet.parse(fetcher.fetch(uri)), clock.instant()));
      return true;
    } catch (IOException | ParseException | RuntimeException e) {
      return false;
    }
  }

  /** Fetches an OpenID Provider's discovery document and returns its {@code jwks_uri}. */
  Optional<URI> discover(String issuer) {
    URI discovery = URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
    try {
      Object jwksUri = com.nimbusds.jose.util.JSONObjectUtils.parse(fetcher.fetch(discovery)).get("jwks_uri");
      return jwksUri instanceof String s ? Optional.of(URI.create(s)) : Optional.empty();
    } catch (IOException | ParseException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
