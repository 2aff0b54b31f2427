package io.meshwork.proxy.config;

import io.meshwork.model.Kind;
import io.meshwork.model.Resource;
import io.meshwork.model.kube.IstioOperator;
import io.meshwork.model.kube.MeshConfig;
import io.meshwork.proxy.egress.OutboundTrafficPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The mesh-wide settings of IstioOperator {@code spec.meshConfig} that a sidecar honours. The mesh
 * has one MeshConfig; when several IstioOperators set the same field differently, the first by
 * namespace/name wins and the others get a notice, so the outcome never depends on input order.
 */
final class MeshConfigs {
  private MeshConfigs() {}

  /** {@code outboundTrafficPolicy.mode}, ALLOW_ANY (Istio's default) when no IstioOperator sets it. */
  static OutboundTrafficPolicy outboundTrafficPolicy(Collection<Resource<?>> resources, Notices notices) {
    List<Resource<?>> operators = new ArrayList<>();
    for (Resource<?> r : resources) {
      if (r.kind() == Kind.ISTIO_OPERATOR) {
        operators.add(r);
      }
    }
    operators.sort(Comparator.comparing(Resource::key));
    OutboundTrafficPolicy chosen = null;
    String owner = null;
    for (Resource<?> r : operators) {
      IstioOperator iop = (IstioOperator) r.spec();
      UnenforcedFields.istioOperator(r, iop, notices);
      MeshConfig mc = iop.meshConfig();
      if (mc == null || mc.outboundTrafficPolicy() == null || mc.outboundTrafficPolicy().mode() == null) {
        continue;
      }
      OutboundTrafficPolicy mode = OutboundTrafficPolicy.valueOf(mc.outboundTrafficPolicy().mode().name());
      if (chosen == null) {
        chosen = mode;
        owner = Notices.subject(r);
      } else if (chosen != mode) {
        notices.add(r, "spec.meshConfig.outboundTrafficPolicy.mode",
            mode + " is ignored: " + owner + " sets " + chosen + " for the mesh");
      }
    }
    return chosen == null ? OutboundTrafficPolicy.DEFAULT : chosen;
  }
}
