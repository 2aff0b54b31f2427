package io.meshwork.cli;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * What the CLI shows the control plane: the admin token, and the trust bundle that verifies the control plane's
 * certificate. Found, in order, in {@value #TOKEN_ENV}, else {@code <data-dir>/admin-token}; the bundle in
 * {@value #CA_FILE_ENV}, else {@code <data-dir>/ca.pem}, else the JDK's default trust store (for a control plane
 * whose root the machine already trusts).
 *
 * @param token       the admin token
 * @param tokenSource where the token came from, for error messages ("MESHWORK_ADMIN_TOKEN" or a file)
 * @param caFile      the PEM bundle to trust, if one was found
 */
public record AdminCredential(String token, String tokenSource, Optional<Path> caFile) {
  public static final String TOKEN_ENV = "MESHWORK_ADMIN_TOKEN";
  public static final String CA_FILE_ENV = "MESHWORK_CA_FILE";
  public static final String TOKEN_FILE = "admin-token";
  public static final String CA_FILE = "ca.pem";
  /** The control plane's default data directory, relative to where the CLI runs. */
  public static final Path DEFAULT_DATA_DIR = Path.of(".meshwork", "control-plane");

  public AdminCredential {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(tokenSource, "tokenSource");
    Objects.requireNonNull(caFile, "caFile");
  }

  /**
   * Finds the credential.
   *
   * @param env     the environment ({@code System::getenv} outside tests)
   * @param dataDir the control plane's data directory, or null for {@link #DEFAULT_DATA_DIR}
   * @throws UserError when no token is found, saying where the CLI looked
   */
  public static AdminCredential find(UnaryOperator<String> env, Path dataDir) {
    Path dir = dataDir == null ? DEFAULT_DATA_DIR : dataDir;
    Optional<Path> ca = Optional.ofNullable(blankToNull(env.apply(CA_FILE_ENV))).map(Path::of)
        .or(() -> Optional.of(dir.resolve(CA_FILE)).filter(Files::isRegularFile));
    if (ca.isPresent() && !Files.isReadable(ca.get())) {
      throw new UserError(CA_FILE_ENV + ": " + ca.get() + " (expected: a readable PEM file)");
    }
    String fromEnv = blankToNull(env.apply(TOKEN_ENV));
    if (fromEnv != null) {
      return new AdminCredential(fromEnv.strip(), TOKEN_ENV, ca);
    }
    Path file = dir.resolve(TOKEN_FILE);
    try {
      String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
      if (token.isEmpty()) {
        throw new UserError(file + ": empty (expected: the admin token the control plane wrote)");
      }
      return new AdminCredential(token, file.toString(), ca);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UserError("no admin token: set " + TOKEN_ENV + " or pass --data-dir with the control plane's data"
          + " directory (looked for " + file.toAbsolutePath().normalize() + ")");
    } catch (IOException e) {
      throw new UserError(file + ": unreadable (" + e.getMessage() + ")", e);
    }
  }

  /** Adds {@code Authorization: Bearer <token>} (RFC 6750 §2.1). */
  public HttpRequest.Builder authorize(HttpRequest.Builder request) {
    return request.header("Authorization", "Bearer " + token);
  }

  /** A TLS context that trusts the bundle, or the JDK's default trust when none was found. */
  public SSLContext sslContext() {
    if (caFile.isEmpty()) {
      try {
        return SSLContext.getDefault();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("no default TLS context", e);
      }
    }
    try {
      return ControlPlaneAuth.trusting(caFile.get());
    } catch (IllegalArgumentException e) {
      String reason = e.getCause() == null ? "no certificate" : e.getCause().getMessage();
      throw new UserError(caFile.get() + ": " + reason + " (expected: the control plane's ca.pem, PEM certificates)", e);
    }
  }

  @Override
  public String toString() {
    // Never print the secret.
    return "AdminCredential[tokenSource=" + tokenSource + ", caFile=" + caFile + "]";
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
