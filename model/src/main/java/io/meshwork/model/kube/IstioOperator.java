package io.meshwork.model.kube;

import io.meshwork.model.Spec;
import io.meshwork.model.internal.Copies;
import java.util.Map;

/**
 * Istio's install.istio.io IstioOperator. Installation settings mean nothing outside Kubernetes and
 * are kept as loose maps; only {@link MeshConfig}'s known fields are honoured.
 *
 * @param meshConfig or null
 * @param components and {@code values}: untyped, kept for round trips only
 */
public record IstioOperator(
    String profile,
    String hub,
    String tag,
    String revision,
    String namespace,
    MeshConfig meshConfig,
    Map<String, Object> components,
    Map<String, Object> values)
    implements Spec {
  public IstioOperator {
    components = Copies.map(components);
    values = Copies.map(values);
  }
}
