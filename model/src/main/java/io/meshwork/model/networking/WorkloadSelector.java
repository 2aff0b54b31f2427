package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.Map;

/**
 * Istio WorkloadSelector of the policy kinds and DestinationRule: {@code matchLabels}; empty selects every
 * workload in the namespace. ServiceEntry uses {@link LabelSelector} ({@code labels}) instead, as in Istio.
 */
public record WorkloadSelector(Map<String, String> matchLabels) {
  public WorkloadSelector {
    matchLabels = Copies.map(matchLabels);
  }

  /** True when every label of the selector is present with the same value. */
  public boolean matches(Map<String, String> labels) {
    return labels.entrySet().containsAll(matchLabels.entrySet());
  }
}
