package io.meshwork.proxy.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The API key a sidecar presents for its app on outbound calls (Otoroshi's
 * {@code SIDECAR_APIKEY_CLIENT_ID}). The secret is held in memory only; {@link #toString()} hides it.
 */
public record ApiKeyCredentials(String clientId, String secret) {
  public static final String CLIENT_ID_ENV = "SIDECAR_APIKEY_CLIENT_ID";
  public static final String CLIENT_SECRET_ENV = "SIDECAR_APIKEY_CLIENT_SECRET";
  /** A file holding the secret, for deployments that keep secrets out of the environment. */
  public static final String CLIENT_SECRET_FILE_ENV = "SIDECAR_APIKEY_CLIENT_SECRET_FILE";

  public ApiKeyCredentials {
    if (clientId == null || clientId.isBlank() || clientId.contains(":") || !visibleAscii(clientId)) {
      throw new IllegalArgumentException("apikeyClientId: " + clientId + " (expected: a client id, visible ASCII without ':')");
    }
    if (secret == null || secret.isEmpty() || !visibleAscii(secret)) {
      throw new IllegalArgumentException(CLIENT_SECRET_ENV + ": " + (secret == null || secret.isEmpty() ? "(none)" : "(hidden)")
          + " (expected: the secret of API key " + clientId + ", visible ASCII, or a file named by "
          + CLIENT_SECRET_FILE_ENV + ")");
    }
  }

  /**
   * The credentials for {@code clientId} with the secret from {@code env}, or null when
   * {@code clientId} is null or blank (no key is presented).
   *
   * @throws IllegalArgumentException when a client id is set without a readable secret
   */
  public static ApiKeyCredentials fromEnvironment(String clientId, Map<String, String> env) {
    if (clientId == null || clientId.isBlank()) {
      return null;
    }
    String secret = env.get(CLIENT_SECRET_ENV);
    String file = env.get(CLIENT_SECRET_FILE_ENV);
    if ((secret == null || secret.isEmpty()) && file != null && !file.isBlank()) {
      try {
        secret = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      } catch (IOException | UncheckedIOException e) {
        throw new IllegalArgumentException(CLIENT_SECRET_FILE_ENV + ": " + file + " (expected: a readable file holding the secret)", e);
      }
    }
    return new ApiKeyCredentials(clientId.strip(), secret);
  }

  private static boolean visibleAscii(String s) {
    return s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  @Override
  public String toString() {
    return "ApiKeyCredentials[clientId=" + clientId + ", secret=(hidden)]";
  }
}
