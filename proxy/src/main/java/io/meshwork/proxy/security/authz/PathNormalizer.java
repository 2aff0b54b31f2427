package io.meshwork.proxy.security.authz;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * Normalizes the path of an origin-form request target (RFC 9112 §3.2.1) the way Istio's
 * sidecars do before authorization (istio.io "Authorization Policy Normalization"), per a
 * {@link PathNormalization} mode:
 *
 * <ul>
 *   <li>{@code %00} is always rejected (400), as Istio does; so are raw control characters,
 *       spaces, non-ASCII bytes, fragments and malformed escapes, which no conforming client sends.
 *   <li>Percent-encoded unreserved characters (RFC 3986 §2.3: {@code A-Z a-z 0-9 - . _ ~}) are
 *       decoded; other escapes stay, with upper-case hex (§6.2.2.1). {@code %2F} therefore stays
 *       {@code %2F} unless the mode is DECODE_AND_MERGE_SLASHES: under Istio's defaults an encoded
 *       slash is part of a segment, not a separator.
 *   <li>Backslashes become slashes (Envoy's {@code normalize_path}).
 *   <li>Dot segments are removed (RFC 3986 §5.2.4), including ones written {@code %2E}; a path
 *       cannot climb above the root.
 *   <li>Runs of slashes are merged in MERGE_SLASHES and DECODE_AND_MERGE_SLASHES.
 * </ul>
 *
 * Case is kept: Istio path matching is case-sensitive. The query is returned untouched.
 */
public final class PathNormalizer {
  private final PathNormalization mode;

  public PathNormalizer(PathNormalization mode) {
    this.mode = Objects.requireNonNull(mode, "mode");
  }

  public static PathNormalizer defaults() {
    return new PathNormalizer(PathNormalization.DEFAULT);
  }

  public PathNormalization mode() {
    return mode;
  }

  /** @param requestTarget origin-form {@code path[?query]}, or {@code *} for OPTIONS */
  public NormalizedPath normalize(String requestTarget) {
    if (requestTarget == null || requestTarget.isEmpty()) {
      return new NormalizedPath.Rejected("path: empty (expected: an origin-form path starting with '/')");
    }
    if (requestTarget.equals("*")) {
      return new NormalizedPath.Accepted("*", null);
    }
    int q = requestTarget.indexOf('?');
    String rawPath = q < 0 ? requestTarget : requestTarget.substring(0, q);
    String query = q < 0 ? null : requestTarget.substring(q + 1);
    String invalid = invalidCharacter(requestTarget);
    if (invalid != null) {
      return new NormalizedPath.Rejected(invalid);
    }
    if (mode == PathNormalization.NONE) {
      if (rawPath.contains("%00")) {
        return new NormalizedPath.Rejected("path: contains %00 (expected: no NUL)");
      }
      return rawPath.startsWith("/") ? new NormalizedPath.Accepted(rawPath, query)
          : new NormalizedPath.Rejected("path: " + rawPath + " (expected: to start with '/')");
    }
    StringBuilder decoded = new StringBuilder(rawPath.length());
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c == '%') {
        int value = escapedByte(rawPath, i);
        if (value < 0) {
          return new NormalizedPath.Rejected("path: malformed percent-encoding at offset " + i + " (expected: %HH)");
        }
        if (value == 0) {
          return new NormalizedPath.Rejected("path: contains %00 (expected: no NUL)");
        }
        char d = (char) value;
        if (isUnreserved(d)) {
          decoded.append(d);
        } else if (mode == PathNormalization.DECODE_AND_MERGE_SLASHES && (d == '/' || d == '\\')) {
          decoded.append('/');
        } else {
          decoded.append('%').append(Character.toUpperCase(rawPath.charAt(i + 1)))
              .append(Character.toUpperCase(rawPath.charAt(i + 2)));
        }
        i += 2;
      } else {
        decoded.append(c == '\\' ? '/' : c);
      }
    }
    if (decoded.isEmpty() || decoded.charAt(0) != '/') {
      return new NormalizedPath.Rejected("path: " + rawPath + " (expected: to start with '/')");
    }
    String path = removeDotSegments(decoded.toString());
    if (mode != PathNormalization.BASE) {
      path = mergeSlashes(path);
    }
    return new NormalizedPath.Accepted(path, query);
  }

  /** RFC 3986 §5.2.4, on a path already known to be absolute. */
  static String removeDotSegments(String path) {
    Deque<String> output = new ArrayDeque<>();
    String[] segments = path.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      boolean last = i == segments.length - 1;
      switch (segment) {
        case "." -> {
          if (last) {
            output.addLast("");
          }
        }
        case ".." -> {
          output.pollLast();
          if (last) {
            output.addLast("");
          }
        }
        default -> output.addLast(segment);
      }
    }
    return "/" + String.join("/", output);
  }

  private static String mergeSlashes(String path) {
    StringBuilder out = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c != '/' || out.isEmpty() || out.charAt(out.length() - 1) != '/') {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String invalidCharacter(String target) {
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return "path: character " + String.format("0x%02x", (int) c) + " at offset " + i
            + " (expected: visible ASCII, other bytes percent-encoded)";
      }
      if (c == '#') {
        return "path: fragment at offset " + i + " (expected: no '#' in a request target)";
      }
    }
    return null;
  }

  private static int escapedByte(String s, int i) {
    if (i + 2 >= s.length()) {
      return -1;
    }
    int high = Character.digit(s.charAt(i + 1), 16);
    int low = Character.digit(s.charAt(i + 2), 16);
    return high < 0 || low < 0 ? -1 : high * 16 + low;
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }
}
