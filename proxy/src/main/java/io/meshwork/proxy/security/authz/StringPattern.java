package io.meshwork.proxy.security.authz;

import java.util.Locale;

/**
 * Istio's value syntax for principals, namespaces, hosts, paths, header and claim values: exact,
 * {@code prefix*}, {@code *suffix}, or {@code *} for "present and not empty".
 */
sealed interface StringPattern {
  boolean matches(String value);

  record Exact(String value) implements StringPattern {
    @Override
    public boolean matches(String candidate) {
      return value.equals(candidate);
    }
  }

  record Prefix(String prefix) implements StringPattern {
    @Override
    public boolean matches(String candidate) {
      return candidate != null && candidate.startsWith(prefix);
    }
  }

  record Suffix(String suffix) implements StringPattern {
    @Override
    public boolean matches(String candidate) {
      return candidate != null && candidate.endsWith(suffix);
    }
  }

  record Presence() implements StringPattern {
    @Override
    public boolean matches(String candidate) {
      return candidate != null && !candidate.isEmpty();
    }
  }

  /** A host pattern: case-insensitive, and a request host's ":port" is ignored (Istio hosts semantics). */
  record Host(StringPattern pattern) implements StringPattern {
    @Override
    public boolean matches(String candidate) {
      if (candidate == null) {
        return false;
      }
      String host = candidate.toLowerCase(Locale.ROOT);
      int colon = host.lastIndexOf(':');
      boolean hasPort = colon > 0 && host.indexOf(']') < colon && host.substring(colon + 1).chars().allMatch(Character::isDigit);
      return pattern.matches(host) || (hasPort && pattern.matches(host.substring(0, colon)));
    }
  }

  /**
   * Parses one value.
   *
   * @throws IllegalArgumentException for an empty value or a {@code *} inside the value
   */
  static StringPattern parse(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(field + ": \"\" (expected: a non-empty value)");
    }
    if (value.equals("*")) {
      return new Presence();
    }
    int star = value.indexOf('*');
    if (star < 0) {
      return new Exact(value);
    }
    if (star == value.length() - 1) {
      return new Prefix(value.substring(0, star));
    }
    if (star == 0 && value.indexOf('*', 1) < 0) {
      return new Suffix(value.substring(1));
    }
    throw new IllegalArgumentException(field + ": " + value
        + " (expected: exact, 'prefix*', '*suffix' or '*'; '*' only first or last)");
  }

  static StringPattern parseHost(String field, String value) {
    return new Host(parse(field, value == null ? null : value.toLowerCase(Locale.ROOT)));
  }
}
