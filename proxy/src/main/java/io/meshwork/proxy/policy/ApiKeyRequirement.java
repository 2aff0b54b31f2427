package io.meshwork.proxy.policy;

import io.meshwork.model.Resource;
import io.meshwork.model.meshwork.ApiKey;
import io.meshwork.proxy.config.LocalService;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The API keys (Otoroshi's client id and secret) the local workload accepts, and whether it
 * requires one. A workload requires a key when it carries the label
 * {@code meshwork.io/require-api-key: "true"}; the keys are the {@code ApiKey} resources of the
 * whole mesh, each allowing the services it lists ({@code name} in the key's namespace, or
 * {@code name.namespace}).
 *
 * <p>Secrets are stored as {@code sha256:<hex>}. API key secrets are random tokens, not passwords,
 * so a fast hash loses nothing to guessing, and it keeps a flood of bogus secrets from costing the
 * event loop the milliseconds a password hash (PBKDF2) takes per request.
 */
public final class ApiKeyRequirement {
  /** The workload label that makes its inbound port require a key. */
  public static final String REQUIRE_LABEL = "meshwork.io/require-api-key";
  public static final String CLIENT_ID_HEADER = "otoroshi-client-id";
  public static final String CLIENT_SECRET_HEADER = "otoroshi-client-secret";
  static final String SHA256_PREFIX = "sha256:";

  /** Keys are not required. */
  public static final ApiKeyRequirement NONE = new ApiKeyRequirement(false, Map.of());

  /** One accepted key; {@code digest} null when its secretHash is unusable, so it never matches. */
  private record Key(String id, byte[] digest, boolean enabled, boolean allowed) {}

  /** What {@link #check(HttpHeaders)} found. */
  public sealed interface Outcome permits Accepted, Missing, Invalid, NotAllowed {}

  /** A valid, enabled key allowed to call this service. */
  public record Accepted(String clientId) implements Outcome {}

  /** No key in the request: 401. */
  public record Missing() implements Outcome {}

  /** An unknown client id, a wrong secret or a disabled key: 401. */
  public record Invalid(String reason) implements Outcome {}

  /** A valid key that may not call this service: 403. */
  public record NotAllowed(String clientId) implements Outcome {}

  private final boolean required;
  private final Map<String, Key> keys;

  private ApiKeyRequirement(boolean required, Map<String, Key> keys) {
    this.required = required;
    this.keys = Map.copyOf(keys);
  }

  /**
   * @param apiKeys every ApiKey resource of the mesh
   * @param notices receives one line per key that cannot be used (a duplicate client id, an unusable hash)
   */
  public static ApiKeyRequirement compile(List<Resource<ApiKey>> apiKeys, LocalService local, Consumer<String> notices) {
    if (!"true".equals(local.labels().get(REQUIRE_LABEL))) {
      return NONE;
    }
    Map<String, Key> keys = new LinkedHashMap<>();
    List<Resource<ApiKey>> sorted = new ArrayList<>(apiKeys);
    sorted.sort(Comparator.comparing((Resource<ApiKey> r) -> r.namespace()).thenComparing(Resource::name));
    for (Resource<ApiKey> resource : sorted) {
      ApiKey spec = resource.spec();
      String id = resource.namespace() + "/" + resource.name();
      if (keys.containsKey(spec.clientId())) {
        notices.accept("ApiKey " + id + ": spec.clientId " + spec.clientId() + " is already used by "
            + keys.get(spec.clientId()).id() + "; this key is ignored");
        continue;
      }
      byte[] digest = parseHash(spec.secretHash());
      if (digest == null) {
        notices.accept("ApiKey " + id + ": spec.secretHash: " + redact(spec.secretHash())
            + " (expected: sha256:<64 hex digits>); the key is refused");
      }
      boolean allowed = spec.services().stream().anyMatch(s -> names(s, resource.namespace(), local));
      keys.put(spec.clientId(), new Key(id, digest, !Boolean.FALSE.equals(spec.enabled()), allowed));
    }
    return new ApiKeyRequirement(true, keys);
  }

  private static boolean names(String service, String keyNamespace, LocalService local) {
    return service.equals(local.name()) && keyNamespace.equals(local.namespace())
        || service.equals(local.name() + "." + local.namespace());
  }

  public boolean required() {
    return required;
  }

  /** Reads the key from Otoroshi's headers, or from {@code Authorization: Basic} (RFC 7617 §2). */
  public Outcome check(HttpHeaders headers) {
    String clientId = headers.get(CLIENT_ID_HEADER);
    String secret = headers.get(CLIENT_SECRET_HEADER);
    if (clientId == null && secret == null) {
      String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
      if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
        return new Missing();
      }
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return new Invalid("Authorization: Basic credentials are not base64");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        return new Invalid("Authorization: Basic credentials are not client-id:secret");
      }
      clientId = decoded.substring(0, colon);
      secret = decoded.substring(colon + 1);
    }
    if (clientId == null || secret == null) {
      return new Invalid("both " + CLIENT_ID_HEADER + " and " + CLIENT_SECRET_HEADER + " are needed");
    }
    Key key = keys.get(clientId);
    if (key == null || key.digest() == null || !MessageDigest.isEqual(key.digest(), sha256(secret))) {
      return new Invalid("invalid api key");
    }
    if (!key.enabled()) {
      return new Invalid("api key " + clientId + " is disabled");
    }
    return key.allowed() ? new Accepted(clientId) : new NotAllowed(clientId);
  }

  /** The value to store in an ApiKey's {@code secretHash} for {@code secret}. */
  public static String hash(String secret) {
    return SHA256_PREFIX + HexFormat.of().formatHex(sha256(secret));
  }

  static byte[] parseHash(String secretHash) {
    if (secretHash == null || !secretHash.startsWith(SHA256_PREFIX)
        || secretHash.length() != SHA256_PREFIX.length() + 64) {
      return null;
    }
    try {
      return HexFormat.of().parseHex(secretHash.substring(SHA256_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String redact(String value) {
    return value == null ? "(none)" : value.length() <= 12 ? value : value.substring(0, 12) + "...";
  }

  private static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
