package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.Map;

/** Labels and annotations a WorkloadGroup stamps on the WorkloadEntries it creates. */
public record ObjectMetaTemplate(Map<String, String> labels, Map<String, String> annotations) {
  public ObjectMetaTemplate {
    labels = Copies.map(labels);
    annotations = Copies.map(annotations);
  }
}
