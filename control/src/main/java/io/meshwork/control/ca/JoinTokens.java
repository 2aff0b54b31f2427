package io.meshwork.control.ca;

import io.meshwork.model.codec.DurationFormat;
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
 * Tokens are bearer secrets, reusable until they expire so a restarted sidecar can enrol again. Each one is also
 * recorded in the {@link TokenLedger} (its id, identity and times, never the token), which is what makes tokens
 * listable and revocable: a token without a live record does not verify, whatever its signature.
 */
public final class JoinTokens {
  static final String KEY_NAME = "join-token-hmac.key";
  static final String PREFIX = "mwjt1.";
  /** Tokens are pasted into command lines and environment variables; bound what we parse. */
  static final int MAX_TOKEN_LENGTH = 4096;
  /** The longest a token may live unless the control plane is told otherwise ({@code --max-token-ttl}). */
  public static final Duration DEFAULT_MAX_TTL = Duration.ofDays(30);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  private final Clock clock;
  private final Duration maxTtl;
  private final TokenLedger ledger;
  private final IdentityRevocations revocations;

  public JoinTokens(CaStorage storage, Clock clock) {
    this(storage, clock, DEFAULT_MAX_TTL, new IdentityRevocations(storage, clock));
  }

  JoinTokens(CaStorage storage, Clock clock, Duration maxTtl, IdentityRevocations revocations) {
    this.clock = clock;
    this.maxTtl = maxTtl;
    this.revocations = revocations;
    this.ledger = new TokenLedger(storage, clock);
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

  /**
   * Why a token does not verify. {@code REVOKED}: revoked, or not in the ledger (forgotten, or made before tokens
   * were recorded). {@code IDENTITY_REVOKED}: its identity was revoked after the token was made.
   */
  public enum Failure { MALFORMED, BAD_SIGNATURE, EXPIRED, REVOKED, IDENTITY_REVOKED }

  /** The longest lifetime {@link #create} accepts. */
  public Duration maxTtl() {
    return maxTtl;
  }

  public TokenLedger ledger() {
    return ledger;
  }

  /**
   * A token granting {@code identity} until now + {@code ttl}, recorded in the ledger before it is returned.
   *
   * @throws IllegalArgumentException when {@code ttl} is not positive or longer than {@link #maxTtl()}
   */
  public String create(SpiffeId identity, Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero() || ttl.compareTo(maxTtl) > 0) {
      throw new IllegalArgumentException("ttl: " + (ttl == null ? null : DurationFormat.format(ttl))
          + " (expected: > 0 and <= " + DurationFormat.format(maxTtl)
          + ", the control plane's maximum token lifetime, --max-token-ttl)");
    }
    byte[] raw = new byte[12];
    RANDOM.nextBytes(raw);
    String id = HexFormat.of().formatHex(raw);
    Instant now = clock.instant();
    long expiry = now.plus(ttl).getEpochSecond();
    ledger.add(new TokenRecord(id, identity, now, Instant.ofEpochSecond(expiry), null));
    String payload = id + " " + expiry + " " + identity;
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
    SpiffeId identity = switch (SpiffeId.parse(fields[2])) {
      case SpiffeId.Valid valid -> valid.id();
      case SpiffeId.Invalid invalid -> null;
    };
    if (identity == null) {
      return new Invalid(Failure.MALFORMED, "token identity: " + fields[2] + " (expected: a SPIFFE ID)");
    }
    TokenRecord record = ledger.find(fields[0]).orElse(null);
    if (record == null) {
      return new Invalid(Failure.REVOKED, "token " + fields[0] + ": unknown to the control plane (expected: a"
          + " token listed by 'meshwork token list'; create a new one)");
    }
    if (record.revokedAt() != null) {
      return new Invalid(Failure.REVOKED, "token " + fields[0] + ": revoked at " + record.revokedAt());
    }
    if (revocations.revoked(identity, record.createdAt())) {
      return new Invalid(Failure.IDENTITY_REVOKED, "token " + fields[0] + ": identity " + identity
          + " was revoked at " + revocations.cutoff(identity).orElseThrow()
          + " (expected: a join token created after that)");
    }
    return new Valid(identity, fields[0], expiresAt);
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
