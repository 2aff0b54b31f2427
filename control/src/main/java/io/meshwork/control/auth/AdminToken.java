package io.meshwork.control.auth;

import io.meshwork.control.store.AtomicFile;
import io.meshwork.control.store.Compare;
import io.meshwork.control.store.KeyValue;
import io.meshwork.control.store.KeyValueStore;
import io.meshwork.control.store.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin credential: a random 256-bit bearer token. The store keeps only its SHA-256, so a copy of the
 * database does not reveal it; the plaintext is written once, to {@code <data-dir>/admin-token} (0600), where the
 * CLI on the same machine finds it.
 *
 * <p>{@link #rotate()} replaces the token while the control plane runs; the old one fails from the next request.
 * When the file is missing at start, or no longer holds the token, a new token replaces the old one. That gives no one more power than they
 * had: whoever can write the data directory already holds the CA's root key in the store.
 */
public final class AdminToken {
  public static final String FILE_NAME = "admin-token";
  /** Where the CLI and other clients look for the token before the data directory. */
  public static final String ENV = "MESHWORK_ADMIN_TOKEN";
  static final String HASH_KEY = "/meshwork/auth/admin-token.sha256";
  static final String PREFIX = "mwat1.";

  private static final Logger log = LoggerFactory.getLogger(AdminToken.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyValueStore store;
  private final Path file;
  private volatile byte[] hash;

  private AdminToken(KeyValueStore store, byte[] hash, Path file) {
    this.store = store;
    this.hash = hash;
    this.file = file;
  }

  /**
   * Loads the token's hash, or makes a token when there is none, or its file was removed or no longer holds it
   * (a rotation that crashed between writing the file and the store).
   */
  public static AdminToken open(KeyValueStore store, Path dataDir) {
    Path file = dataDir.toAbsolutePath().resolve(FILE_NAME);
    var stored = store.get(HASH_KEY);
    if (stored.isPresent() && Files.exists(file)) {
      byte[] hash = HexFormat.of().parseHex(stored.get().valueAsString().strip());
      if (MessageDigest.isEqual(hash, sha256(readQuietly(file)))) {
        return new AdminToken(store, hash, file);
      }
      log.warn("{} does not hold the admin token: issuing a new one (the previous one no longer works)", file);
    } else if (stored.isPresent()) {
      log.warn("{} is missing: issuing a new admin token (the previous one no longer works)", file);
    }
    byte[] hash = replace(store, file, stored.map(KeyValue::modRevision).orElse(0L));
    log.info("created the admin token in {}", file);
    return new AdminToken(store, hash, file);
  }

  /**
   * Replaces the admin token: the new one is written to the file (owner-only, atomically) and the store, and the
   * old one stops working at once.
   *
   * @return the new token
   */
  public synchronized String rotate() {
    long revision = store.get(HASH_KEY).map(KeyValue::modRevision).orElse(0L);
    hash = replace(store, file, revision);
    log.info("rotated the admin token in {}; the previous one no longer works", file);
    return readQuietly(file);
  }

  private static byte[] replace(KeyValueStore store, Path file, long expected) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    byte[] hash = sha256(token);
    AtomicFile.replace(file, token + "\n");
    var result = store.txn(List.of(Compare.modRevision(HASH_KEY, expected)),
        List.of(Op.put(HASH_KEY, HexFormat.of().formatHex(hash))), List.of());
    if (!result.succeeded()) {
      throw new IllegalStateException(HASH_KEY + ": changed while the admin token was being replaced"
          + " (expected: one control plane per data directory)");
    }
    return hash;
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /** Whether {@code presented} is the admin token; compares hashes in constant time. */
  public boolean matches(String presented) {
    return presented != null && presented.startsWith(PREFIX) && presented.length() < 256
        && MessageDigest.isEqual(hash, sha256(presented));
  }

  /** The file holding the plaintext token. */
  public Path file() {
    return file;
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
