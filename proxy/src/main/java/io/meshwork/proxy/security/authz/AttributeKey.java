package io.meshwork.proxy.security.authz;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The keys an Istio {@code when} condition may test (istio.io "Authorization Policy Conditions").
 * Each reads the request's candidate values; most yield at most one, claims and audiences several.
 */
sealed interface AttributeKey {

  /** How a condition's values are read for this key. */
  enum ValueKind { STRING, IP, PORT }

  default ValueKind kind() {
    return ValueKind.STRING;
  }

  /** The request's values for this key as text; empty when absent. */
  default List<String> strings(RequestAttributes request) {
    return List.of();
  }

  default InetAddress ip(RequestAttributes request) {
    return null;
  }

  /** Whether only an HTTP request has this attribute (headers, the JWT's), not a TCP connection. */
  default boolean httpOnly() {
    return this instanceof Header || this instanceof RequestPrincipal || this instanceof Audiences
        || this instanceof Presenter || this instanceof Claim;
  }

  record Header(String name) implements AttributeKey {
    @Override
    public List<String> strings(RequestAttributes request) {
      String value = request.headers().get(name);
      return value == null ? List.of() : List.of(value);
    }
  }

  record SourceIp() implements AttributeKey {
    @Override
    public ValueKind kind() {
      return ValueKind.IP;
    }

    @Override
    public InetAddress ip(RequestAttributes request) {
      return request.sourceIp();
    }
  }

  record RemoteIp() implements AttributeKey {
    @Override
    public ValueKind kind() {
      return ValueKind.IP;
    }

    @Override
    public InetAddress ip(RequestAttributes request) {
      return request.remoteIp();
    }
  }

  record DestinationIp() implements AttributeKey {
    @Override
    public ValueKind kind() {
      return ValueKind.IP;
    }

    @Override
    public InetAddress ip(RequestAttributes request) {
      return request.destinationIp();
    }
  }

  record DestinationPort() implements AttributeKey {
    @Override
    public ValueKind kind() {
      return ValueKind.PORT;
    }

    @Override
    public List<String> strings(RequestAttributes request) {
      return request.destinationPort() > 0 ? List.of(Integer.toString(request.destinationPort())) : List.of();
    }
  }

  record SourceNamespace() implements AttributeKey {
    @Override
    public List<String> strings(RequestAttributes request) {
      return optional(request.sourceNamespace());
    }
  }

  record SourcePrincipal() implements AttributeKey {
    @Override
    public List<String> strings(RequestAttributes request) {
      return optional(request.sourcePrincipal());
    }
  }

  record RequestPrincipal() implements AttributeKey {
    @Override
    public List<String> strings(RequestAttributes request) {
      return optional(request.requestPrincipal());
    }
  }

  record Audiences() implements AttributeKey {
    @Override
    public List<String> strings(RequestAttributes request) {
      return request.audiences();
    }
  }

  record Presenter() implements AttributeKey {
    @Override
    public List<String> strings(RequestAttributes request) {
      return optional(request.presenter());
    }
  }

  record Sni() implements AttributeKey {
    @Override
    public List<String> strings(RequestAttributes request) {
      return optional(request.sni());
    }
  }

  /** {@code request.auth.claims[a][b]}: descends nested objects; a list claim yields each element. */
  record Claim(List<String> path) implements AttributeKey {
    @Override
    public List<String> strings(RequestAttributes request) {
      Object value = request.claims();
      for (String name : path) {
        if (!(value instanceof Map<?, ?> map)) {
          return List.of();
        }
        value = map.get(name);
      }
      return switch (value) {
        case null -> List.of();
        case List<?> list -> list.stream().filter(e -> !(e instanceof Map<?, ?>)).map(String::valueOf).toList();
        case Map<?, ?> map -> List.of();
        default -> List.of(String.valueOf(value));
      };
    }
  }

  /** @throws IllegalArgumentException naming the key and the keys Istio supports */
  static AttributeKey parse(String field, String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException(field + ": \"\" (expected: a condition key such as source.ip)");
    }
    AttributeKey fixed = switch (key) {
      case "source.ip" -> new SourceIp();
      case "remote.ip" -> new RemoteIp();
      case "source.namespace" -> new SourceNamespace();
      case "source.principal" -> new SourcePrincipal();
      case "request.auth.principal" -> new RequestPrincipal();
      case "request.auth.audiences" -> new Audiences();
      case "request.auth.presenter" -> new Presenter();
      case "destination.ip" -> new DestinationIp();
      case "destination.port" -> new DestinationPort();
      case "connection.sni" -> new Sni();
      default -> null;
    };
    if (fixed != null) {
      return fixed;
    }
    if (key.startsWith("request.headers[")) {
      List<String> names = brackets(field, key, "request.headers".length());
      if (names.size() != 1) {
        throw new IllegalArgumentException(field + ": " + key + " (expected: request.headers[<name>])");
      }
      return new Header(names.get(0).toLowerCase(Locale.ROOT));
    }
    if (key.startsWith("request.auth.claims[")) {
      return new Claim(brackets(field, key, "request.auth.claims".length()));
    }
    throw new IllegalArgumentException(field + ": " + key + " (expected: one of request.headers[<name>], source.ip,"
        + " remote.ip, source.namespace, source.principal, request.auth.principal, request.auth.audiences,"
        + " request.auth.presenter, request.auth.claims[<name>], destination.ip, destination.port, connection.sni)");
  }

  private static List<String> brackets(String field, String key, int start) {
    List<String> names = new ArrayList<>();
    int i = start;
    while (i < key.length()) {
      int close = key.indexOf(']', i);
      if (key.charAt(i) != '[' || close < 0 || close == i + 1 || key.substring(i + 1, close).contains("[")) {
        throw new IllegalArgumentException(field + ": " + key + " (expected: non-empty [name] segments)");
      }
      names.add(key.substring(i + 1, close));
      i = close + 1;
    }
    return List.copyOf(names);
  }

  private static List<String> optional(String value) {
    return value == null ? List.of() : List.of(value);
  }
}
