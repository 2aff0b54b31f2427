package io.meshwork.proxy.route;

import java.util.regex.Pattern;

/**
 * Istio's {@code uri} match of one block. Besides testing the path it reports what it matched, so a
 * {@link UriRewrite.Replace} can replace exactly that part, as Envoy's prefix_rewrite does.
 */
public sealed interface UriCondition {

  /** The matched part of {@code path}, or null when the path does not match. */
  String match(String path);

  /** Matches the whole path; a rewrite replaces the whole path. */
  record Exact(String value, boolean ignoreCase) implements UriCondition {
    @Override
    public String match(String path) {
      return (ignoreCase ? value.equalsIgnoreCase(path) : value.equals(path)) ? path : null;
    }
  }

  /** Matches a leading part; a rewrite replaces that part and keeps the rest. */
  record Prefix(String value, boolean ignoreCase) implements UriCondition {
    @Override
    public String match(String path) {
      if (!path.regionMatches(ignoreCase, 0, value, 0, value.length())) {
        return null;
      }
      // With ignoreUriCase the request's own spelling is what a rewrite must cut off.
      return ignoreCase ? path.substring(0, value.length()) : value;
    }
  }

  /** A full-path regex match (Envoy safe_regex); a rewrite replaces the whole path. */
  record Regex(Pattern pattern) implements UriCondition {
    @Override
    public String match(String path) {
      return pattern.matcher(path).matches() ? path : null;
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

  /**
   * Builds the condition from a compiled Istio StringMatch; {@code ignoreUriCase} applies to the uri only
   * (Istio HTTPMatchRequest.ignoreUriCase).
   */
  static UriCondition of(StringMatcher matcher, boolean ignoreUriCase) {
    return switch (matcher) {
      case StringMatcher.Exact e -> new Exact(e.value(), ignoreUriCase || e.ignoreCase());
      case StringMatcher.Prefix p -> new Prefix(p.value(), ignoreUriCase || p.ignoreCase());
      case StringMatcher.Regex r -> ignoreUriCase && (r.pattern().flags() & Pattern.CASE_INSENSITIVE) == 0
          ? new Regex(Pattern.compile(r.pattern().pattern(), r.pattern().flags() | Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE))
          : new Regex(r.pattern());
      // An empty uri match constrains nothing; "/" is the prefix every origin-form path has.
      case StringMatcher.Present p -> new Prefix("/", false);
    };
  }
}
