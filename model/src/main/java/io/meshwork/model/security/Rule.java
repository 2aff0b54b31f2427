package io.meshwork.model.security;

import io.meshwork.model.internal.Copies;
import java.util.List;

/** Istio Rule: empty lists match everything; within a list any entry may match. */
public record Rule(List<From> from, List<To> to, List<Condition> when) {
  public Rule {
    from = Copies.list(from);
    to = Copies.list(to);
    when = Copies.list(when);
  }
}
