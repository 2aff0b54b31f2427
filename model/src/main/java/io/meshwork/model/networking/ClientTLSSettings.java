package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.List;

/**
 * Istio ClientTLSSettings: how a sidecar secures connections to the upstream.
 *
 * @param mode null means DISABLE
 * @param clientCertificate PEM file path, required for MUTUAL unless {@code credentialName} is set
 * @param insecureSkipVerify null means false
 */
public record ClientTLSSettings(
    TLSmode mode,
    String clientCertificate,
    String privateKey,
    String caCertificates,
    String credentialName,
    List<String> subjectAltNames,
    String sni,
    Boolean insecureSkipVerify) {

  /** ISTIO_MUTUAL uses the mesh's own certificates; MUTUAL and SIMPLE use the files given. */
  public enum TLSmode {
    DISABLE,
    SIMPLE,
    MUTUAL,
    ISTIO_MUTUAL
  }

  public ClientTLSSettings {
    subjectAltNames = Copies.list(subjectAltNames);
  }
}
