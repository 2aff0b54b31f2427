package io.meshwork.proxy.security.authz;

import io.meshwork.model.security.Condition;
import io.meshwork.model.security.Operation;
import io.meshwork.model.security.Source;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Turns Istio's Source, Operation and Condition into predicates over {@link RequestAttributes}.
 * Within a block every non-empty field must match; a field matches when any value does and, for
 * its {@code not} twin, when no value does (Istio Rule semantics).
 */
final class RequestMatchers {
  private static final Predicate<RequestAttributes> ANY = request -> true;
  private static final Predicate<RequestAttributes> NEVER = request -> false;

  /**
   * What a rule's HTTP-only fields (request principals, hosts, methods, paths, headers and JWT
   * conditions) mean. For a TCP connection Istio ignores them in a DENY rule (which then denies more)
   * and lets no ALLOW rule that has them match (which then allows less): either way the less
   * permissive reading.
   */
  enum HttpOnlyFields {
    /** An HTTP request: the fields are matched. */
    MATCHED,
    /** A TCP connection, in a DENY rule: the fields are left out. */
    IGNORED,
    /** A TCP connection, in an ALLOW or AUDIT rule: a rule with such a field never matches. */
    NEVER_MATCH
  }

  private final List<String> errors;
  private final HttpOnlyFields httpOnly;

  RequestMatchers(List<String> errors) {
    this(errors, HttpOnlyFields.MATCHED);
  }

  RequestMatchers(List<String> errors, HttpOnlyFields httpOnly) {
    this.errors = errors;
    this.httpOnly = httpOnly;
  }

  /**
   * Adds what a set HTTP-only field means for a TCP connection and tells whether to match it as for HTTP.
   */
  private boolean matchHttpOnly(List<Predicate<RequestAttributes>> all, List<String> values, List<String> notValues) {
    if (httpOnly == HttpOnlyFields.MATCHED) {
      return true;
    }
    if (!values.isEmpty() || !notValues.isEmpty()) {
      if (httpOnly == HttpOnlyFields.NEVER_MATCH) {
        all.add(NEVER);
      }
    }
    return false;
  }

  Predicate<RequestAttributes> source(String field, Source source) {
    if (source == null) {
      errors.add(field + ": null (expected: a source block)");
      return ANY;
    }
    List<Predicate<RequestAttributes>> all = new ArrayList<>();
    strings(all, field + ".principals", source.principals(), source.notPrincipals(), RequestAttributes::sourcePrincipal);
    if (matchHttpOnly(all, source.requestPrincipals(), source.notRequestPrincipals())) {
      strings(all, field + ".requestPrincipals", source.requestPrincipals(), source.notRequestPrincipals(),
          RequestAttributes::requestPrincipal);
    }
    strings(all, field + ".namespaces", source.namespaces(), source.notNamespaces(), RequestAttributes::sourceNamespace);
    ips(all, field + ".ipBlocks", source.ipBlocks(), source.notIpBlocks(), RequestAttributes::sourceIp);
    ips(all, field + ".remoteIpBlocks", source.remoteIpBlocks(), source.notRemoteIpBlocks(), RequestAttributes::remoteIp);
    return allOf(all);
  }

  Predicate<RequestAttributes> operation(String field, Operation operation) {
    if (operation == null) {
      errors.add(field + ": null (expected: an operation block)");
      return ANY;
    }
    List<Predicate<RequestAttributes>> all = new ArrayList<>();
    if (matchHttpOnly(all, operation.hosts(), operation.notHosts())) {
      hosts(all, field + ".hosts", operation.hosts(), operation.notHosts());
    }
    ports(all, field + ".ports", operation.ports(), operation.notPorts());
    if (matchHttpOnly(all, operation.methods(), operation.notMethods())) {
      methods(all, field + ".methods", operation.methods(), operation.notMethods());
    }
    if (matchHttpOnly(all, operation.paths(), operation.notPaths())) {
      paths(all, field + ".paths", operation.paths(), operation.notPaths());
    }
    return allOf(all);
  }

  Predicate<RequestAttributes> condition(String field, Condition condition) {
    AttributeKey key;
    try {
      key = AttributeKey.parse(field + ".key", condition.key());
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
      return ANY;
    }
    if (condition.values().isEmpty() && condition.notValues().isEmpty()) {
      errors.add(field + ": no values (expected: values or notValues)");
      return ANY;
    }
    List<Predicate<RequestAttributes>> all = new ArrayList<>();
    if (key.httpOnly() && !matchHttpOnly(all, condition.values(), condition.notValues())) {
      return allOf(all);
    }
    switch (key.kind()) {
      case IP -> ips(all, field + ".values", condition.values(), condition.notValues(), key::ip);
      case PORT -> {
        List<Integer> yes = parsePorts(field + ".values", condition.values());
        List<Integer> no = parsePorts(field + ".notValues", condition.notValues());
        addPair(all, yes.isEmpty() ? null : r -> yes.contains(r.destinationPort()),
            no.isEmpty() ? null : r -> no.contains(r.destinationPort()));
      }
      case STRING -> {
        List<StringPattern> yes = patterns(field + ".values", condition.values());
        List<StringPattern> no = patterns(field + ".notValues", condition.notValues());
        addPair(all, yes.isEmpty() ? null : r -> anyMatch(yes, key.strings(r)),
            no.isEmpty() ? null : r -> anyMatch(no, key.strings(r)));
      }
    }
    return allOf(all);
  }

  static Predicate<RequestAttributes> allOf(List<Predicate<RequestAttributes>> predicates) {
    List<Predicate<RequestAttributes>> copy = List.copyOf(predicates);
    return switch (copy.size()) {
      case 0 -> ANY;
      case 1 -> copy.get(0);
      default -> request -> {
        for (Predicate<RequestAttributes> p : copy) {
          if (!p.test(request)) {
            return false;
          }
        }
        return true;
      };
    };
  }

  static Predicate<RequestAttributes> anyOf(List<Predicate<RequestAttributes>> predicates) {
    List<Predicate<RequestAttributes>> copy = List.copyOf(predicates);
    return request -> {
      for (Predicate<RequestAttributes> p : copy) {
        if (p.test(request)) {
          return true;
        }
      }
      return false;
    };
  }

  private void strings(List<Predicate<RequestAttributes>> all, String field, List<String> values, List<String> notValues,
      Function<RequestAttributes, String> attribute) {
    List<StringPattern> yes = patterns(field, values);
    List<StringPattern> no = patterns(not(field), notValues);
    addPair(all, yes.isEmpty() ? null : r -> anyMatch(yes, attribute.apply(r)),
        no.isEmpty() ? null : r -> anyMatch(no, attribute.apply(r)));
  }

  private void hosts(List<Predicate<RequestAttributes>> all, String field, List<String> values, List<String> notValues) {
    List<StringPattern> yes = parseEach(field, values, StringPattern::parseHost);
    List<StringPattern> no = parseEach(not(field), notValues, StringPattern::parseHost);
    addPair(all, yes.isEmpty() ? null : r -> anyMatch(yes, r.host()), no.isEmpty() ? null : r -> anyMatch(no, r.host()));
  }

  private void paths(List<Predicate<RequestAttributes>> all, String field, List<String> values, List<String> notValues) {
    List<StringPattern> yes = parseEach(field, values, RequestMatchers::pathPattern);
    List<StringPattern> no = parseEach(not(field), notValues, RequestMatchers::pathPattern);
    addPair(all, yes.isEmpty() ? null : r -> anyMatch(yes, r.path()), no.isEmpty() ? null : r -> anyMatch(no, r.path()));
  }

  private static StringPattern pathPattern(String field, String value) {
    if (value != null && value.contains("{")) {
      throw new IllegalArgumentException(field + ": " + value
          + " (expected: exact, 'prefix*', '*suffix' or '*'; path templates are not supported)");
    }
    return StringPattern.parse(field, value);
  }

  private void methods(List<Predicate<RequestAttributes>> all, String field, List<String> values, List<String> notValues) {
    List<String> yes = nonEmpty(field, values);
    List<String> no = nonEmpty(not(field), notValues);
    addPair(all, yes.isEmpty() ? null : r -> yes.contains(r.method()), no.isEmpty() ? null : r -> no.contains(r.method()));
  }

  private void ports(List<Predicate<RequestAttributes>> all, String field, List<String> values, List<String> notValues) {
    List<Integer> yes = parsePorts(field, values);
    List<Integer> no = parsePorts(not(field), notValues);
    addPair(all, yes.isEmpty() ? null : r -> yes.contains(r.destinationPort()),
        no.isEmpty() ? null : r -> no.contains(r.destinationPort()));
  }

  private void ips(List<Predicate<RequestAttributes>> all, String field, List<String> values, List<String> notValues,
      Function<RequestAttributes, InetAddress> attribute) {
    List<IpBlock> yes = parseEach(field, values, IpBlock::parse);
    List<IpBlock> no = parseEach(not(field), notValues, IpBlock::parse);
    addPair(all, yes.isEmpty() ? null : r -> contains(yes, attribute.apply(r)),
        no.isEmpty() ? null : r -> contains(no, attribute.apply(r)));
  }

  /** {@code positive} must hold and {@code negative} must not; either may be null (field unset). */
  private static void addPair(List<Predicate<RequestAttributes>> all, Predicate<RequestAttributes> positive,
      Predicate<RequestAttributes> negative) {
    if (positive != null) {
      all.add(positive);
    }
    if (negative != null) {
      all.add(negative.negate());
    }
  }

  private List<StringPattern> patterns(String field, List<String> values) {
    return parseEach(field, values, StringPattern::parse);
  }

  private List<Integer> parsePorts(String field, List<String> values) {
    return parseEach(field, values, (f, v) -> {
      try {
        int port = Integer.parseInt(v);
        if (port >= 0 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(f + ": " + v + " (expected: a port number 0..65535)");
    });
  }

  private List<String> nonEmpty(String field, List<String> values) {
    return parseEach(field, values, (f, v) -> {
      if (v == null || v.isEmpty()) {
        throw new IllegalArgumentException(f + ": \"\" (expected: a non-empty value)");
      }
      return v;
    });
  }

  private <T> List<T> parseEach(String field, List<String> values, java.util.function.BiFunction<String, String, T> parser) {
    List<T> parsed = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      try {
        parsed.add(parser.apply(field + "[" + i + "]", values.get(i)));
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    }
    return List.copyOf(parsed);
  }

  private static boolean anyMatch(List<StringPattern> patterns, String value) {
    if (value == null) {
      return false;
    }
    for (StringPattern pattern : patterns) {
      if (pattern.matches(value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyMatch(List<StringPattern> patterns, List<String> values) {
    for (String value : values) {
      if (anyMatch(patterns, value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean contains(List<IpBlock> blocks, InetAddress address) {
    for (IpBlock block : blocks) {
      if (block.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** "rules[0].to[0].operation.paths" → "rules[0].to[0].operation.notPaths". */
  private static String not(String field) {
    int dot = field.lastIndexOf('.');
    String name = field.substring(dot + 1);
    return field.substring(0, dot + 1) + "not" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }
}
