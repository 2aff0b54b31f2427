package io.meshwork.model.networking;

import java.util.Objects;

/**
 * Istio StringMatch: written as exactly one of {@code {exact: v}}, {@code {prefix: v}} or {@code
 * {regex: v}}. Regexes use RE2 syntax in Istio; Meshwork compiles them with java.util.regex, which
 * accepts every RE2 pattern that has no RE2-only syntax.
 */
public sealed interface StringMatch {
  String value();

  record Exact(String exact) implements StringMatch {
    public Exact {
      Objects.requireNonNull(exact, "exact");
    }

    @Override
    public String value() {
      return exact;
    }
  }

  record Prefix(String prefix) implements StringMatch {
    public Prefix {
      Objects.requireNonNull(prefix, "prefix");
    }

    @Override
    public String value() {
      return prefix;
    }
  }

  record Regex(String regex) implements StringMatch {
    public Regex {
      Objects.requireNonNull(regex, "regex");
    }

    @Override
    public String value() {
      return regex;
    }
  }

  static StringMatch exact(String v) {
    return new Exact(v);
  }

  static StringMatch prefix(String v) {
    return new Prefix(v);
  }

  static StringMatch regex(String v) {
    return new Regex(v);
  }
}
