package io.meshwork.proxy.ratelimit;

import java.util.Map;

/**
 * The response fields of a refused request: {@code retry-after} (RFC 9110 §10.2.3, whole seconds)
 * and the structured fields of draft-ietf-httpapi-ratelimit-headers: {@code RateLimit-Policy:
 * "name";q=<quota>;w=<window seconds>} and {@code RateLimit: "name";r=<remaining>;t=<seconds until
 * a request is admitted again>}.
 */
final class RateLimitFields {
  private RateLimitFields() {}

  static Map<String, String> refused(RateLimitRule rule, long waitNanos) {
    return refused(rule.name(), rule.limit(), rule.windowSeconds(), waitNanos);
  }

  static Map<String, String> refused(GlobalRateLimitRule rule, long waitNanos) {
    return refused(rule.name(), rule.quota(), rule.windowSeconds(), waitNanos);
  }

  private static Map<String, String> refused(String policy, long quota, long windowSeconds, long waitNanos) {
    long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    String name = quoted(policy);
    return Map.of(
        "retry-after", Long.toString(seconds),
        "ratelimit-policy", name + ";q=" + quota + ";w=" + windowSeconds,
        "ratelimit", name + ";r=0;t=" + seconds);
  }

  /** An sf-string (RFC 8941 §3.3.3): backslash and double quote escaped; policy names are DNS labels anyway. */
  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
