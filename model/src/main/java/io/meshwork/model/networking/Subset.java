package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.Map;

/**
 * Istio Subset: endpoints selected by labels; its policy overrides the rule's, field by field.
 *
 * @param name required, a DNS label, unique in the rule
 * @param trafficPolicy or null
 */
public record Subset(String name, Map<String, String> labels, TrafficPolicy trafficPolicy) {
  public Subset {
    labels = Copies.map(labels);
  }
}
