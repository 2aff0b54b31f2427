package io.meshwork.proxy.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * Who may use the admin port beyond {@code /ready}. A loopback caller may do everything; anyone
 * else needs the admin bearer token (RFC 6750 §2.1), when one is configured. {@code /ready} (and the
 * index) stay open so that health checkers on other machines can probe; {@code /config} reveals the
 * mesh's topology and {@code /drain} takes the workload out of service, so both are guarded.
 */
public final class AdminAccess {
  /** Loopback callers only: the default. */
  public static final AdminAccess LOOPBACK_ONLY = new AdminAccess(null);

  /** The decision for one request. */
  public sealed interface Decision {
    record Allowed() implements Decision {}

    /** A refusal: 401 with a Bearer challenge (RFC 6750 §3) or 403. */
    record Refused(HttpResponseStatus status, String message) implements Decision {}
  }

  private static final Decision ALLOWED = new Decision.Allowed();

  /** SHA-256 of the token, or null for none: digests of equal length compare in constant time. */
  private final byte[] tokenDigest;

  private AdminAccess(String token) {
    this.tokenDigest = token == null ? null : sha256(token);
  }

  /** Loopback callers, and others presenting {@code token}. */
  public static AdminAccess withToken(String token) {
    if (token == null || token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("admin token: (hidden) (expected: printable ASCII without spaces)");
    }
    return new AdminAccess(token);
  }

  /**
   * Reads the token from {@code file} (surrounding whitespace stripped). The file must be a
   * secret: owner-only where the file system has POSIX permissions.
   *
   * @throws IllegalArgumentException with a one-line reason when the file is missing, unreadable,
   *     empty or readable by others
   */
  public static AdminAccess fromFile(Path file) {
    String token;
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
        throw new IllegalArgumentException("admin token file: " + file
            + " is readable by group or others (expected: owner-only, chmod 600)");
      }
    } catch (UnsupportedOperationException e) {
      // No POSIX permissions on this file system: nothing to check.
    } catch (IOException e) {
      throw new IllegalArgumentException("admin token file: " + file + ": cannot read (" + e.getMessage() + ")", e);
    }
    try {
      token = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException("admin token file: " + file + ": cannot read (" + e.getMessage() + ")", e);
    }
    if (token.isEmpty()) {
      throw new IllegalArgumentException("admin token file: " + file + " is empty (expected: one token)");
    }
    try {
      return withToken(token);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("admin token file: " + file
          + " (expected: one token of printable ASCII without spaces)", e);
    }
  }

  /** Whether a token is configured. */
  public boolean hasToken() {
    return tokenDigest != null;
  }

  /** Paths anyone may read: readiness probes come from load balancers and orchestrators elsewhere. */
  static boolean open(String path, HttpMethod method) {
    return ("/ready".equals(path) || "/".equals(path)) && (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method));
  }

  /**
   * Decides one request.
   *
   * @param remote the caller's address (the TCP peer; never a header)
   * @param authorization the {@code Authorization} header, or null
   */
  public Decision check(InetAddress remote, String authorization, String path, HttpMethod method) {
    if (open(path, method) || (remote != null && remote.isLoopbackAddress())) {
      return ALLOWED;
    }
    String what = method + " " + path + " from " + (remote == null ? "an unknown address" : remote.getHostAddress());
    if (tokenDigest == null) {
      return new Decision.Refused(HttpResponseStatus.FORBIDDEN, "admin: " + what
          + " needs a loopback caller (no --admin-token-file is configured)");
    }
    String presented = bearer(authorization);
    if (presented == null) {
      return new Decision.Refused(HttpResponseStatus.UNAUTHORIZED, "admin: " + what
          + " needs 'Authorization: Bearer <token>' with the token of --admin-token-file");
    }
    if (!MessageDigest.isEqual(sha256(presented), tokenDigest)) {
      return new Decision.Refused(HttpResponseStatus.UNAUTHORIZED, "admin: " + what + ": the bearer token does not match");
    }
    return ALLOWED;
  }

  /** The token of an {@code Authorization: Bearer} header (the scheme is case-insensitive, RFC 9110 §11.1), or null. */
  private static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String value = authorization.strip();
    if (value.length() <= 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = value.substring(7).strip();
    return token.isEmpty() ? null : token;
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  @Override
  public String toString() {
    return tokenDigest == null ? "AdminAccess[loopback only]" : "AdminAccess[loopback or token (hidden)]";
  }
}
