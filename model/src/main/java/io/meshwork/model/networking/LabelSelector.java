package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.Map;

/**
 * Istio networking WorkloadSelector, as ServiceEntry uses it: {@code labels} (not the
 * {@code matchLabels} of the policy kinds' selector, {@link WorkloadSelector}).
 */
public record LabelSelector(Map<String, String> labels) {
  public LabelSelector {
    labels = Copies.map(labels);
  }

  /** True when every label of the selector is present with the same value. */
  public boolean matches(Map<String, String> workloadLabels) {
    return workloadLabels.entrySet().containsAll(labels.entrySet());
  }
}
