package io.meshwork.control.ca;

import io.meshwork.model.identity.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Join tokens: the proof a sidecar shows the CA before it gets a certificate. A token names one
 * identity and an expiry and is signed with HMAC-SHA256 (RFC 2104) under a key the CA generates
 * once and keeps in its {@link CaStorage}:
 *
 * <pre>mwjt1.BASE64URL("&lt;token-id&gt; &lt;expiry-epoch-seconds&gt; &lt;spiffe-id&gt;").BASE64URL(hmac)</pre>
 *
 * Tokens are bearer secrets, reusable until they expire so a restarted sidecar can enrol again.
 */
public final class JoinTokens {
  static final String KEY_NAME = "join-token-hmac.key";
  static final String PREFIX = "mwjt1.";
  /** Tokens are pasted into command lines and environment variables; bound what we parse. */
  static final int MAX_TOKEN_LENGTH = 4096;
  public static final Duration MAX_TTL = Duration.ofDays(366);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  private final Clock clock;

  public JoinTokens(CaStorage storage, Clock clock) {
    this.clock = clock;
    String encoded = storage.get(KEY_NAME).orElse(null);
    if (encoded == null) {
      byte[] fresh = new byte[32];
      RANDOM.nextBytes(fresh);
      encoded = Base64.getEncoder().encodeToString(fresh);
      storage.put(KEY_NAME, encoded);
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(encoded.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(KEY_NAME + ": not base64 (expected: the stored join-token key)", e);
    }
    if (raw.length < 32) {
      throw new IllegalStateException(KEY_NAME + ": " + raw.length + " bytes (expected: >= 32)");
    }
    this.key = new SecretKeySpec(raw, "HmacSHA256");
  }

  /** What {@link #verify(String)} found. */
  public sealed interface Verification permits Valid, Invalid {}

  public record Valid(SpiffeId identity, String tokenId, Instant expiresAt) implements Verification {}

  public record Invalid(Failure failure, String message) implements Verification {}

  public enum Failure { MALFORMED, BAD_SIGNATURE, EXPIRED }

  /** A token granting {@code identity} until now + {@code ttl}. */
  public String create(SpiffeId identity, Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0 and <= " + MAX_TTL + ")");
    }
    byte[] id = new byte[12];
    RANDOM.nextBytes(id);
    long expiry = clock.instant().plus(ttl).getEpochSecond();
    String payload = HexFormat.of().formatHex(id) + " " + expiry + " " + identity;
    String body = B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    return PREFIX + body + "." + B64.encodeToString(mac(body));
  }

  public Verification verify(String token) {
    if (token == null || token.isEmpty()) {
      return new Invalid(Failure.MALFORMED, "token: empty (expected: a join token)");
    }
    if (token.length() > MAX_TOKEN_LENGTH) {
      return new Invalid(Failure.MALFORMED, "token: " + token.length() + " characters (expected: <= " + MAX_TOKEN_LENGTH + ")");
    }
    if (!token.startsWith(PREFIX)) {
      return new Invalid(Failure.MALFORMED, "token: unknown format (expected: " + PREFIX + "...)");
    }
    String rest = token.substring(PREFIX.length());
    int dot = rest.indexOf('.');
    if (dot <= 0 || dot != rest.lastIndexOf('.')) {
      return new Invalid(Failure.MALFORMED, "token: wrong number of parts (expected: " + PREFIX + "<payload>.<mac>)");
    }
    String body = rest.substring(0, dot);
    byte[] presented;
    try {
      presented = B64D.decode(rest.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return new Invalid(Failure.MALFORMED, "token: mac is not base64url (expected: " + PREFIX + "<payload>.<mac>)");
    }
    // The MAC is checked before the payload is interpreted, in constant time.
    if (!MessageDigest.isEqual(mac(body), presented)) {
      return new Invalid(Failure.BAD_SIGNATURE, "token: signature does not verify (expected: a token issued by this CA)");
    }
    String[] fields;
    try {
      fields = new String(B64D.decode(body), StandardCharsets.UTF_8).split(" ", -1);
    } catch (IllegalArgumentException e) {
      return new Invalid(Failure.MALFORMED, "token: payload is not base64url");
    }
    if (fields.length != 3) {
      return new Invalid(Failure.MALFORMED, "token: payload has " + fields.length + " fields (expected: 3)");
    }
    Instant expiresAt;
    try {
      expiresAt = Instant.ofEpochSecond(Long.parseLong(fields[1]));
    } catch (NumberFormatException | java.time.DateTimeException e) {
      return new Invalid(Failure.MALFORMED, "token: expiry " + fields[1] + " (expected: epoch seconds)");
    }
    if (!clock.instant().isBefore(expiresAt)) {
      return new Invalid(Failure.EXPIRED, "token: expired at " + expiresAt + " (expected: after " + clock.instant() + ")");
    }
    return switch (SpiffeId.parse(fields[2])) {
      case SpiffeId.Valid valid -> new Valid(valid.id(), fields[0], expiresAt);
      case SpiffeId.Invalid invalid -> new Invalid(Failure.MALFORMED, "token identity: " + invalid.reason());
    };
  }

  private byte[] mac(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
