package io.meshwork.proxy.cluster;

import java.util.List;

/**
 * How the proxy secures connections to a cluster's endpoints (Istio ClientTLSSettings, with
 * auto-mTLS for mesh workloads resolved at compile time).
 */
public sealed interface UpstreamTls {
  /**
   * Istio's endpoint label {@code security.istio.io/tlsMode}: {@code istio} marks a workload whose
   * sidecar accepts mutual TLS, the only endpoints auto-mTLS sends it to.
   */
  String TLS_MODE_LABEL = "security.istio.io/tlsMode";
  String TLS_MODE_ISTIO = "istio";

  UpstreamTls PLAINTEXT = new Plaintext();

  /** No TLS (mode DISABLE, or a destination outside the mesh without a rule). */
  record Plaintext() implements UpstreamTls {}

  /**
   * Mutual TLS with the workload's own SVID (ISTIO_MUTUAL), HTTP/2 negotiated by ALPN.
   *
   * @param subjectAltNames SPIFFE IDs the server may present; empty accepts the whole trust domain
   * @param automatic chosen by auto-mTLS rather than a rule: only endpoints labelled
   *     {@code security.istio.io/tlsMode: istio} get TLS, the others stay plaintext
   */
  record IstioMutual(List<String> subjectAltNames, boolean automatic) implements UpstreamTls {
    public IstioMutual {
      subjectAltNames = List.copyOf(subjectAltNames);
    }

    /**
     * Whether traffic to {@code endpoint} gets mutual TLS: always when set explicitly; with Istio's auto-mTLS only
     * toward endpoints labelled {@code security.istio.io/tlsMode: istio} (a workload with a sidecar).
     */
    public boolean appliesTo(Endpoint endpoint) {
      return !automatic || TLS_MODE_ISTIO.equals(endpoint.labels().get(TLS_MODE_LABEL));
    }
  }

  /**
   * TLS to a server outside the mesh (SIMPLE), verified by {@code caCertificates} or the JDK's trust store.
   *
   * @param sni the server name to send and verify, or null for the endpoint's host
   * @param caCertificates a PEM file, or null for the system roots
   * @param subjectAltNames accepted server names; empty verifies the host name instead
   */
  record Simple(String sni, String caCertificates, List<String> subjectAltNames, boolean insecureSkipVerify)
      implements UpstreamTls {
    public Simple {
      subjectAltNames = List.copyOf(subjectAltNames);
    }
  }

  /** As {@link Simple}, presenting the client certificate and key from files (MUTUAL). */
  record Mutual(String sni, String caCertificates, List<String> subjectAltNames, boolean insecureSkipVerify,
      String clientCertificate, String privateKey) implements UpstreamTls {
    public Mutual {
      subjectAltNames = List.copyOf(subjectAltNames);
    }
  }
}
