package io.meshwork.model.networking;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import java.util.List;

/**
 * Istio DestinationRule: policies applied to traffic for {@code host} after routing.
 *
 * @param host required
 * @param trafficPolicy defaults for all subsets, or null
 * @param workloadSelector limits the rule to some client workloads, or null
 */
public record DestinationRule(
    String host,
    TrafficPolicy trafficPolicy,
    List<Subset> subsets,
    List<String> exportTo,
    WorkloadSelector workloadSelector)
    implements Spec {
  public DestinationRule {
    subsets = Copies.list(subsets);
    exportTo = Copies.list(exportTo);
  }
}
