package io.meshwork.proxy.route;

import java.util.List;
import java.util.Map;

/**
 * One entry of Istio's {@code queryParams}: a parameter (case-sensitive name, decoded value) whose
 * value matches. Istio documents exact and regex; prefix is accepted as well. A parameter present
 * several times matches when any of its values does.
 */
public record QueryCondition(String name, StringMatcher matcher) {
  public QueryCondition {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("queryParams: " + name + " (expected: a parameter name)");
    }
  }

  public boolean test(Map<String, List<String>> parameters) {
    List<String> values = parameters.get(name);
    if (values == null) {
      return false;
    }
    for (String v : values) {
      if (matcher.matches(v)) {
        return true;
      }
    }
    return false;
  }
}
