package io.meshwork.proxy.route;

import java.util.regex.Pattern;

/**
 * A compiled Istio StringMatch over one request value. Regexes match the whole value, as Envoy's
 * safe_regex does (Istio: "RE2 style regex-based match"); Java's engine accepts RE2's syntax subset.
 */
public sealed interface StringMatcher {

  boolean matches(String value);

  /** Istio {@code exact}. */
  record Exact(String value, boolean ignoreCase) implements StringMatcher {
    @Override
    public boolean matches(String v) {
      return ignoreCase ? value.equalsIgnoreCase(v) : value.equals(v);
    }
  }

  /** Istio {@code prefix}. */
  record Prefix(String value, boolean ignoreCase) implements StringMatcher {
    @Override
    public boolean matches(String v) {
      return v.regionMatches(ignoreCase, 0, value, 0, value.length());
    }
  }

  /** Istio {@code regex}, a full match. */
  record Regex(Pattern pattern) implements StringMatcher {
    @Override
    public boolean matches(String v) {
      return pattern.matcher(v).matches();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Regex r && r.pattern.pattern().equals(pattern.pattern()) && r.pattern.flags() == pattern.flags();
    }

    @Override
    public int hashCode() {
      return pattern.pattern().hashCode();
    }
  }

  /** An empty StringMatch ({@code {}}): Istio treats it as "the value is present". */
  record Present() implements StringMatcher {
    @Override
    public boolean matches(String v) {
      return true;
    }
  }

  static StringMatcher exact(String value) {
    return new Exact(value, false);
  }

  static StringMatcher prefix(String value) {
    return new Prefix(value, false);
  }

  /**
   * @throws IllegalArgumentException when the regex does not compile, in the house message format
   */
  static StringMatcher regex(String regex, boolean ignoreCase) {
    try {
      return new Regex(Pattern.compile(regex, ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0));
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "regex: " + regex + " (expected: a valid regular expression; " + e.getDescription() + ")");
    }
  }

  static StringMatcher regex(String regex) {
    return regex(regex, false);
  }

  /** For describing a matcher in the admin API. */
  static String describe(StringMatcher m) {
    return switch (m) {
      case Exact e -> "exact:" + e.value() + (e.ignoreCase() ? " (ignore case)" : "");
      case Prefix p -> "prefix:" + p.value() + (p.ignoreCase() ? " (ignore case)" : "");
      case Regex r -> "regex:" + r.pattern().pattern();
      case Present p -> "present";
    };
  }
}
