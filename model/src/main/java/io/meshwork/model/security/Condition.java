package io.meshwork.model.security;

import io.meshwork.model.internal.Copies;
import java.util.List;

/** Istio Condition: {@code key} such as "request.headers[x-token]"; any value may match, no notValue may. */
public record Condition(String key, List<String> values, List<String> notValues) {
  public Condition {
    values = Copies.list(values);
    notValues = Copies.list(notValues);
  }
}
