package io.meshwork.model.validation;

import io.meshwork.model.codec.DurationFormat;
import io.meshwork.model.networking.StringMatch;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Collects violations for one resource, with the checks the rules share. Every message has the form
 * {@code value (expected: ...)}; strings are shown quoted, numbers and enum constants bare.
 */
final class Findings {
  static final Duration MIN_DURATION = Duration.ofMillis(1);
  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  // RFC 9110 §5.1: field-name = token; §5.6.2: tchar.
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final List<Violation> violations = new ArrayList<>();

  List<Violation> violations() {
    return violations;
  }

  void error(String field, Object value, String expected) {
    violations.add(Violation.error(field, render(value) + " (expected: " + expected + ")"));
  }

  void warning(String field, Object value, String expected) {
    violations.add(Violation.warning(field, render(value) + " (expected: " + expected + ")"));
  }

  /** Like {@link #error} for a value that is described rather than quoted ("weights summing to 90"). */
  void describe(String field, String description, String expected) {
    violations.add(Violation.error(field, description + " (expected: " + expected + ")"));
  }

  void missing(String field, String expected) {
    violations.add(Violation.error(field, "missing (expected: " + expected + ")"));
  }

  static String render(Object value) {
    return switch (value) {
      case null -> "null";
      case String s -> "\"" + s.replace("\"", "\\\"") + "\"";
      case Duration d -> DurationFormat.format(d);
      default -> String.valueOf(value);
    };
  }

  /** Reports a missing or blank required string; true when present. */
  boolean required(String field, String value, String expected) {
    if (value == null || value.isBlank()) {
      missing(field, expected);
      return false;
    }
    return true;
  }

  void requiredNonEmpty(String field, Collection<?> values, String expected) {
    if (values.isEmpty()) {
      missing(field, expected);
    }
  }

  void range(String field, Number value, long min, long max, String expected) {
    if (value != null && (value.longValue() < min || value.longValue() > max)) {
      error(field, value, expected);
    }
  }

  void nonNegative(String field, Number value) {
    if (value != null && value.doubleValue() < 0) {
      error(field, value, "an integer >= 0");
    }
  }

  void port(String field, Integer port) {
    range(field, port, 1, 65535, "a port number 1..65535");
  }

  void percent(String field, Double value) {
    if (value != null && (value < 0 || value > 100 || value.isNaN())) {
      error(field, value, "a percentage 0..100");
    }
  }

  /** Istio rejects durations shorter than a millisecond: Envoy's timers have millisecond resolution. */
  void duration(String field, Duration d) {
    if (d != null && d.compareTo(MIN_DURATION) < 0) {
      error(field, d, "a duration of at least 1ms");
    }
  }

  void dnsLabel(String field, String value) {
    if (value != null && (value.length() > 63 || !DNS1123_LABEL.matcher(value).matches())) {
      error(field, value, "a DNS-1123 label: lower-case letters, digits and '-', at most 63 characters");
    }
  }

  void dnsSubdomain(String field, String value) {
    if (value != null && (value.length() > 253 || !DNS1123_SUBDOMAIN.matcher(value).matches())) {
      error(field, value,
          "a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters");
    }
  }

  void headerName(String field, String name) {
    if (name == null || !TOKEN.matcher(name).matches()) {
      error(field, name, "a header name (an RFC 9110 token)");
    }
  }

  /**
   * Istio regexes are RE2; they are compiled here with java.util.regex, which accepts the RE2 syntax
   * Istio users write (it has no RE2-only constructs in common use) but also some non-RE2 ones.
   */
  void regex(String field, String regex) {
    if (regex == null) {
      return;
    }
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      error(field, regex, "a valid RE2 regular expression; " + e.getDescription() + " near index " + e.getIndex());
    }
  }

  void stringMatch(String field, StringMatch match) {
    if (match instanceof StringMatch.Regex r) {
      regex(FieldPath.child(field, "regex"), r.regex());
    }
  }

  static boolean isIp(String value) {
    if (value == null || value.isEmpty()) {
      return false;
    }
    if (IPV4.matcher(value).matches()) {
      for (String part : value.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return false;
        }
      }
      return true;
    }
    if (!value.contains(":") || !value.matches("[0-9A-Fa-f:.]+")) {
      return false;
    }
    try {
      // Literal-only input (checked above), so no name lookup happens.
      InetAddress.getByName(value);
      return true;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  static boolean isCidr(String value) {
    if (value == null) {
      return false;
    }
    int slash = value.indexOf('/');
    if (slash < 0) {
      return isIp(value);
    }
    String ip = value.substring(0, slash);
    String bits = value.substring(slash + 1);
    if (!isIp(ip) || !bits.matches("\\d{1,3}")) {
      return false;
    }
    int max = ip.contains(":") ? 128 : 32;
    return Integer.parseInt(bits) <= max;
  }

  void ipOrCidr(String field, String value) {
    if (!isCidr(value)) {
      error(field, value, "an IP address or CIDR block such as 10.0.0.0/8");
    }
  }

  static int count(Object... present) {
    int n = 0;
    for (Object t : present) {
      if (t != null) {
        n++;
      }
    }
    return n;
  }
}
