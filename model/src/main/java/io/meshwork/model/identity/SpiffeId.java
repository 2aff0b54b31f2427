package io.meshwork.model.identity;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * A SPIFFE ID, {@code spiffe://<trust-domain><path>}, as defined by the SPIFFE ID specification
 * (SPIFFE-ID.md §2). Instances are always valid: the canonical constructor enforces the same rules
 * as {@link #parse(String)}.
 *
 * @param trustDomain lower-case trust domain name, e.g. {@code cluster.local}
 * @param path empty, or one or more {@code /segment}s, e.g. {@code /ns/shop/sa/orders}
 */
public record SpiffeId(String trustDomain, String path) {
  public static final String SCHEME = "spiffe";
  /** SPIFFE-ID.md §2.3: implementations must support, and should not generate, longer IDs. */
  public static final int MAX_LENGTH_BYTES = 2048;
  /** SPIFFE-ID.md §2.1: a trust domain name is at most 255 characters. */
  public static final int MAX_TRUST_DOMAIN_LENGTH = 255;

  private static final String PREFIX = SCHEME + "://";

  public SpiffeId {
    Objects.requireNonNull(trustDomain, "trustDomain");
    path = path == null ? "" : path;
    String error = trustDomainError(trustDomain);
    if (error == null) {
      error = pathError(path);
    }
    if (error == null && byteLength(trustDomain, path) > MAX_LENGTH_BYTES) {
      error = "SPIFFE ID: " + byteLength(trustDomain, path) + " bytes (expected: <= " + MAX_LENGTH_BYTES + ")";
    }
    if (error != null) {
      throw new IllegalArgumentException(error);
    }
  }

  /** The outcome of {@link #parse(String)}: the ID, or why the text is not one. */
  public sealed interface Result permits Valid, Invalid {
    /** The ID, or an {@link IllegalArgumentException} carrying the reason. */
    default SpiffeId orThrow() {
      return switch (this) {
        case Valid valid -> valid.id();
        case Invalid invalid -> throw new IllegalArgumentException(invalid.reason());
      };
    }
  }

  public record Valid(SpiffeId id) implements Result {}

  /** @param reason "field: value (expected: ...)", naming the offending part of the input */
  public record Invalid(String input, String reason) implements Result {}

  /** Parses {@code text} per the SPIFFE ID specification, returning errors as values. */
  public static Result parse(String text) {
    if (text == null || text.isEmpty()) {
      return new Invalid(text, "SPIFFE ID: empty (expected: spiffe://<trust-domain>[/<path>])");
    }
    if (text.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH_BYTES) {
      return new Invalid(text, "SPIFFE ID: " + text.getBytes(StandardCharsets.UTF_8).length
          + " bytes (expected: <= " + MAX_LENGTH_BYTES + ")");
    }
    // §2: the scheme is exactly "spiffe"; URI schemes are case-insensitive in general, but the
    // SPIFFE spec and every reference implementation require the lower-case form.
    if (!text.startsWith(PREFIX)) {
      int colon = text.indexOf(':');
      String scheme = colon < 0 ? "" : text.substring(0, colon);
      return new Invalid(text, "scheme: " + (scheme.isEmpty() ? "(none)" : scheme) + " (expected: spiffe://)");
    }
    String rest = text.substring(PREFIX.length());
    int slash = rest.indexOf('/');
    String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    String error = trustDomainError(trustDomain);
    if (error == null) {
      error = pathError(path);
    }
    return error == null ? new Valid(new SpiffeId(trustDomain, path)) : new Invalid(text, error);
  }

  /** Parses {@code text} or throws {@link IllegalArgumentException} with the precise reason. */
  public static SpiffeId of(String text) {
    return parse(text).orThrow();
  }

  /** The Istio workload identity {@code spiffe://<td>/ns/<namespace>/sa/<service-account>}. */
  public static SpiffeId forWorkload(String trustDomain, String namespace, String serviceAccount) {
    requireSegment("namespace", namespace);
    requireSegment("serviceAccount", serviceAccount);
    return new SpiffeId(trustDomain, "/ns/" + namespace + "/sa/" + serviceAccount);
  }

  /** The ID of the trust domain itself ({@code spiffe://<td>}), e.g. for a root CA's URI SAN. */
  public static SpiffeId forTrustDomain(String trustDomain) {
    return new SpiffeId(trustDomain, "");
  }

  /**
   * The ID without its scheme, {@code cluster.local/ns/shop/sa/orders}: the form Istio's
   * AuthorizationPolicy {@code principals} and {@code source.principal} use.
   */
  public String principal() {
    return trustDomain + path;
  }

  /** The namespace when the path has Istio's {@code /ns/<ns>/sa/<sa>} shape. */
  public Optional<String> namespace() {
    String[] parts = istioParts();
    return parts == null ? Optional.empty() : Optional.of(parts[2]);
  }

  /** The service account when the path has Istio's {@code /ns/<ns>/sa/<sa>} shape. */
  public Optional<String> serviceAccount() {
    String[] parts = istioParts();
    return parts == null ? Optional.empty() : Optional.of(parts[4]);
  }

  /** True when the ID is a member of {@code otherTrustDomain}. */
  public boolean memberOf(String otherTrustDomain) {
    return trustDomain.equals(otherTrustDomain);
  }

  @Override
  public String toString() {
    return PREFIX + trustDomain + path;
  }

  private String[] istioParts() {
    String[] parts = path.split("/", -1);
    // "/ns/x/sa/y" splits to ["", "ns", "x", "sa", "y"].
    return parts.length == 5 && parts[1].equals("ns") && parts[3].equals("sa") ? parts : null;
  }

  private static int byteLength(String trustDomain, String path) {
    return (PREFIX + trustDomain + path).getBytes(StandardCharsets.UTF_8).length;
  }

  private static void requireSegment(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: a non-empty path segment)");
    }
    String error = segmentError(field, value);
    if (error != null) {
      throw new IllegalArgumentException(error);
    }
  }

  /** SPIFFE-ID.md §2.1: [a-z0-9.-_], no port, no userinfo, no percent-encoding. */
  private static String trustDomainError(String td) {
    if (td.isEmpty()) {
      return "trust domain: empty (expected: a name of [a-z0-9.-_])";
    }
    if (td.length() > MAX_TRUST_DOMAIN_LENGTH) {
      return "trust domain: " + td.length() + " characters (expected: <= " + MAX_TRUST_DOMAIN_LENGTH + ")";
    }
    for (int i = 0; i < td.length(); i++) {
      char c = td.charAt(i);
      if (isTrustDomainChar(c)) {
        continue;
      }
      String what = switch (c) {
        case ':' -> "a port is not allowed";
        case '@' -> "userinfo is not allowed";
        case '?' -> "a query is not allowed";
        case '#' -> "a fragment is not allowed";
        case '%' -> "percent-encoding is not allowed";
        default -> c >= 'A' && c <= 'Z' ? "upper case is not allowed" : "character '" + printable(c) + "'";
      };
      return "trust domain: " + td + " (" + what + "; expected: [a-z0-9.-_])";
    }
    return null;
  }

  /** SPIFFE-ID.md §2.2: segments of [A-Za-z0-9.-_], none empty, none "." or "..". */
  private static String pathError(String path) {
    if (path.isEmpty()) {
      return null;
    }
    if (path.charAt(0) != '/') {
      return "path: " + path + " (expected: to start with '/')";
    }
    String[] segments = path.substring(1).split("/", -1);
    for (String segment : segments) {
      String error = segmentError("path", segment);
      if (error != null) {
        return error + " in " + path;
      }
    }
    return null;
  }

  private static String segmentError(String field, String segment) {
    if (segment.isEmpty()) {
      return field + ": empty segment (expected: no '//' and no trailing '/')";
    }
    if (segment.equals(".") || segment.equals("..")) {
      return field + ": segment '" + segment + "' (expected: no '.' or '..' segments)";
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (!isPathChar(c)) {
        String what = switch (c) {
          case '?' -> "a query is not allowed";
          case '#' -> "a fragment is not allowed";
          case '%' -> "percent-encoding is not allowed";
          default -> "character '" + printable(c) + "'";
        };
        return field + ": segment '" + segment + "' (" + what + "; expected: [A-Za-z0-9.-_])";
      }
    }
    return null;
  }

  private static boolean isTrustDomainChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  }

  private static boolean isPathChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '-' || c == '_';
  }

  private static String printable(char c) {
    return c < 0x20 || c >= 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }
}
