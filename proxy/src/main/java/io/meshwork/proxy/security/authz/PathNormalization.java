package io.meshwork.proxy.security.authz;

/**
 * How request paths are normalized before policies see them; the values of Istio's
 * {@code meshConfig.pathNormalization.normalization}. Authorization and routing must see the same
 * path the application will, or a policy on {@code /admin} is bypassed by {@code /app/../admin}
 * (CVE-2021-31920).
 */
public enum PathNormalization {
  /** Paths are used as received. Only for applications that interpret paths in a non-RFC way. */
  NONE,
  /**
   * Envoy's {@code normalize_path}: RFC 3986 §6.2.2 (decode percent-encoded unreserved characters,
   * upper-case the remaining escapes, remove dot segments per §5.2.4) and backslashes become slashes.
   * Istio's install default.
   */
  BASE,
  /**
   * BASE, then runs of slashes are merged ({@code //admin} is {@code /admin}). Meshwork's default:
   * BASE alone leaves the duplicate-slash bypass of CVE-2021-31920 open.
   */
  MERGE_SLASHES,
  /**
   * {@code %2F} and {@code %5C} are decoded to {@code /} and {@code \} first, then MERGE_SLASHES.
   * The strictest; breaks applications that put encoded slashes in path segments.
   */
  DECODE_AND_MERGE_SLASHES;

  public static final PathNormalization DEFAULT = MERGE_SLASHES;
}
