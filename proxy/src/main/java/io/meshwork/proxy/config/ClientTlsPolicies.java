package io.meshwork.proxy.config;

import io.meshwork.model.Resource;
import io.meshwork.model.networking.ClientTLSSettings;
import io.meshwork.model.networking.DestinationRule;
import io.meshwork.proxy.cluster.UpstreamTls;
import java.util.List;

/**
 * A cluster's {@link UpstreamTls} from the DestinationRule's {@code trafficPolicy.tls}, with
 * Istio's auto-mTLS when no rule sets TLS: ISTIO_MUTUAL to the endpoints labelled
 * {@code security.istio.io/tlsMode: istio} (workloads whose sidecar has a certificate), plaintext
 * to every other endpoint.
 */
final class ClientTlsPolicies {
  private ClientTlsPolicies() {}

  static UpstreamTls of(ClientTLSSettings tls, Resource<DestinationRule> rule, Notices notices) {
    if (tls == null) {
      return new UpstreamTls.IstioMutual(List.of(), true);
    }
    if (tls.credentialName() != null && rule != null) {
      notices.add(rule, "trafficPolicy.tls.credentialName", "is not supported by sidecars (Istio: gateways only); ignored");
    }
    boolean insecure = Boolean.TRUE.equals(tls.insecureSkipVerify());
    if (tls.mode() == null) {
      return UpstreamTls.PLAINTEXT;
    }
    return switch (tls.mode()) {
      case DISABLE -> UpstreamTls.PLAINTEXT;
      case ISTIO_MUTUAL -> new UpstreamTls.IstioMutual(tls.subjectAltNames(), false);
      case SIMPLE -> {
        noteSans(tls, rule, notices);
        yield new UpstreamTls.Simple(tls.sni(), tls.caCertificates(), tls.subjectAltNames(), insecure);
      }
      case MUTUAL -> {
        noteSans(tls, rule, notices);
        if (tls.clientCertificate() == null || tls.privateKey() == null) {
          if (rule != null) {
            notices.add(rule, "trafficPolicy.tls", "MUTUAL without clientCertificate and privateKey; connecting without"
                + " a client certificate");
          }
          yield new UpstreamTls.Simple(tls.sni(), tls.caCertificates(), tls.subjectAltNames(), insecure);
        }
        yield new UpstreamTls.Mutual(tls.sni(), tls.caCertificates(), tls.subjectAltNames(), insecure,
            tls.clientCertificate(), tls.privateKey());
      }
    };
  }

  private static void noteSans(ClientTLSSettings tls, Resource<DestinationRule> rule, Notices notices) {
    if (!tls.subjectAltNames().isEmpty() && rule != null) {
      notices.add(rule, "trafficPolicy.tls.subjectAltNames", "is accepted but not enforced yet for SIMPLE and MUTUAL"
          + " (the server is checked against sni or the host name)");
    }
  }
}
