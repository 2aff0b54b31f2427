package io.meshwork.proxy.config;

import io.meshwork.model.Kind;
import io.meshwork.model.Resource;
import io.meshwork.model.kube.IstioOperator;
import io.meshwork.model.kube.MeshConfig;
import io.meshwork.proxy.egress.OutboundTrafficPolicy;
import io.meshwork.proxy.telemetry.AccessLogConfig;
import io.meshwork.proxy.telemetry.AccessLogFormat;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The mesh-wide settings of IstioOperator {@code spec.meshConfig} that a sidecar honours. The mesh
 * has one MeshConfig; when several IstioOperators set the same field differently, the first by
 * namespace/name wins and the others get a notice, so the outcome never depends on input order.
 */
final class MeshConfigs {
  private MeshConfigs() {}

  /** {@code outboundTrafficPolicy.mode}, ALLOW_ANY (Istio's default) when no IstioOperator sets it. */
  static OutboundTrafficPolicy outboundTrafficPolicy(Collection<Resource<?>> resources, Notices notices) {
    List<Resource<?>> operators = operators(resources);
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

  private static List<Resource<?>> operators(Collection<Resource<?>> resources) {
    List<Resource<?>> operators = new ArrayList<>();
    for (Resource<?> r : resources) {
      if (r.kind() == Kind.ISTIO_OPERATOR) {
        operators.add(r);
      }
    }
    operators.sort(Comparator.comparing(Resource::key));
    return operators;
  }

  /**
   * The access log of the first IstioOperator (by namespace/name) that sets {@code accessLogFile}, with
   * its {@code accessLogEncoding} and {@code accessLogFormat}; off when none does (Istio's default).
   * Others that set a different one get a notice. A format that does not compile gets a notice naming
   * what is wrong, and Istio's default format for the encoding is used: the log stays on.
   */
  static AccessLogConfig accessLog(Collection<Resource<?>> resources, Notices notices) {
    AccessLogConfig chosen = null;
    String owner = null;
    MeshConfig chosenConfig = null;
    for (Resource<?> r : operators(resources)) {
      MeshConfig mc = ((IstioOperator) r.spec()).meshConfig();
      if (mc == null || mc.accessLogFile() == null) {
        continue;
      }
      if (chosen != null) {
        if (!mc.accessLogFile().equals(chosenConfig.accessLogFile())
            || mc.accessLogEncoding() != chosenConfig.accessLogEncoding()
            || !Objects.equals(mc.accessLogFormat(), chosenConfig.accessLogFormat())) {
          notices.add(r, "spec.meshConfig.accessLogFile", "is ignored: " + owner + " sets the mesh's access log");
        }
        continue;
      }
      AccessLogFormat.Encoding encoding = mc.accessLogEncoding() == MeshConfig.AccessLogEncoding.JSON
          ? AccessLogFormat.Encoding.JSON : AccessLogFormat.Encoding.TEXT;
      try {
        chosen = AccessLogConfig.of(mc.accessLogFile(), encoding, mc.accessLogFormat());
      } catch (IllegalArgumentException e) {
        notices.add(r, "spec.meshConfig.accessLogFormat",
            e.getMessage() + "; Istio's default " + encoding + " format is used");
        chosen = AccessLogConfig.of(mc.accessLogFile(), encoding, null);
      }
      chosenConfig = mc;
      owner = Notices.subject(r);
    }
    return chosen == null ? AccessLogConfig.OFF : chosen;
  }
}
