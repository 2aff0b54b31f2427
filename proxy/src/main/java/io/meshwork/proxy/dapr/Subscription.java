package io.meshwork.proxy.dapr;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.codec.ModelMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One topic subscription the app declared in its answer to {@code GET /dapr/subscribe} (Dapr's
 * programmatic subscriptions, v1 with {@code route} and v2 with {@code routes.rules}).
 *
 * @param route the path an event goes to when no rule matches; null drops it (as Dapr does)
 * @param rules tried in order; the first that matches names the path
 * @param deadLetterTopic where an event goes once its deliveries are used up; null for none
 * @param rawPayload deliver the published bytes, not a CloudEvent
 */
record Subscription(String pubsub, String topic, String route, List<Rule> rules, String deadLetterTopic,
    boolean rawPayload) {

  /**
   * A routing rule. Only equality of one CloudEvent attribute with a string, {@code event.type == "x"}
   * (Dapr writes these in CEL), is evaluated; any other expression refuses the subscription, so that an
   * event never goes to a path its rule would not have chosen.
   */
  record Rule(String attribute, String value, String path) {
    private static final Pattern EQUALS = Pattern.compile(
        "\\s*event\\.([a-z][a-z0-9_]*)\\s*==\\s*(?:\"([^\"\\\\]*)\"|'([^'\\\\]*)')\\s*");

    static Rule parse(String match, String path, String at) {
      Matcher m = EQUALS.matcher(match);
      if (!m.matches()) {
        throw new StateRequests.Malformed(at + ".match: \"" + match
            + "\" (expected: event.<attribute> == \"<value>\"; other CEL expressions are not supported)");
      }
      return new Rule(m.group(1), m.group(2) != null ? m.group(2) : m.group(3), path);
    }

    boolean matches(JsonNode event) {
      JsonNode v = event.get(attribute);
      return v != null && v.isTextual() && v.asText().equals(value);
    }
  }

  /** The path for {@code event} (a CloudEvent; null for a raw message, which only the default route takes). */
  String pathFor(JsonNode event) {
    if (event != null) {
      for (Rule r : rules) {
        if (r.matches(event)) {
          return r.path();
        }
      }
    }
    return route;
  }

  /** The subscriptions in an answer to {@code GET /dapr/subscribe}; an entry Dapr would refuse is refused. */
  static List<Subscription> parseList(byte[] body) {
    JsonNode root;
    try {
      root = ModelMapper.json().readTree(body);
    } catch (IOException e) {
      throw new StateRequests.Malformed("the subscription list is not JSON");
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return List.of();
    }
    if (!root.isArray()) {
      throw new StateRequests.Malformed("the subscription list is not a JSON array");
    }
    List<Subscription> out = new ArrayList<>(root.size());
    for (int i = 0; i < root.size(); i++) {
      out.add(parse(root.get(i), "[" + i + "]"));
    }
    return out;
  }

  private static Subscription parse(JsonNode s, String at) {
    String pubsub = required(s, "pubsubname", at);
    String topic = required(s, "topic", at);
    String route = path(s.get("route"), at + ".route");
    List<Rule> rules = new ArrayList<>();
    JsonNode routes = s.get("routes");
    if (routes != null && !routes.isNull()) {
      if (route == null) {
        route = path(routes.get("default"), at + ".routes.default");
      }
      JsonNode list = routes.path("rules");
      for (int i = 0; i < list.size(); i++) {
        String ruleAt = at + ".routes.rules[" + i + "]";
        JsonNode rule = list.get(i);
        String path = path(rule.get("path"), ruleAt + ".path");
        if (path == null) {
          throw new StateRequests.Malformed(ruleAt + ".path: missing (expected: the app's path for the event)");
        }
        rules.add(Rule.parse(rule.path("match").asText(""), path, ruleAt));
      }
    }
    if (route == null && rules.isEmpty()) {
      throw new StateRequests.Malformed(at + ": no route (expected: route, or routes with rules or a default)");
    }
    if (s.path("bulkSubscribe").path("enabled").asBoolean(false)) {
      // The app would read a bulk body where one event arrives: refused rather than misread.
      throw new StateRequests.Malformed(at + ".bulkSubscribe.enabled: true (expected: false; bulk subscribe is not supported)");
    }
    String deadLetter = s.path("deadLetterTopic").asText("");
    boolean raw = false;
    JsonNode metadata = s.get("metadata");
    if (metadata != null && metadata.isObject()) {
      for (Map.Entry<String, JsonNode> e : metadata.properties()) {
        if (e.getKey().equals("rawPayload")) {
          raw = unquote(e.getValue().asText()).equalsIgnoreCase("true");
        }
      }
    }
    return new Subscription(pubsub, topic, route, List.copyOf(rules), deadLetter.isEmpty() ? null : deadLetter, raw);
  }

  /** Metadata values may arrive JSON-encoded a second time ({@code "\"true\""}, as the JavaScript SDK sends them). */
  private static String unquote(String text) {
    return text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"") ? text.substring(1, text.length() - 1) : text;
  }

  private static String required(JsonNode s, String field, String at) {
    JsonNode v = s.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new StateRequests.Malformed(at + "." + field + ": " + (v == null ? "missing" : v.toString()) + " (expected: a name)");
    }
    return v.asText();
  }

  private static String path(JsonNode v, String at) {
    if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
      return null;
    }
    if (!v.isTextual()) {
      throw new StateRequests.Malformed(at + ": " + v + " (expected: a path)");
    }
    String p = v.asText();
    return p.startsWith("/") ? p : "/" + p;
  }
}
