package io.meshwork.model.networking;

import io.meshwork.model.internal.Copies;
import java.util.List;

/** Istio ServerTLSSettings of a Gateway server. */
public record ServerTLSSettings(
    Boolean httpsRedirect,
    TLSmode mode,
    String serverCertificate,
    String privateKey,
    String caCertificates,
    String credentialName,
    List<String> subjectAltNames,
    List<String> verifyCertificateSpki,
    List<String> verifyCertificateHash,
    TLSProtocol minProtocolVersion,
    TLSProtocol maxProtocolVersion,
    List<String> cipherSuites) {

  public enum TLSmode {
    PASSTHROUGH,
    SIMPLE,
    MUTUAL,
    AUTO_PASSTHROUGH,
    ISTIO_MUTUAL,
    OPTIONAL_MUTUAL
  }

  public enum TLSProtocol {
    TLS_AUTO,
    TLSV1_0,
    TLSV1_1,
    TLSV1_2,
    TLSV1_3
  }

  public ServerTLSSettings {
    subjectAltNames = Copies.list(subjectAltNames);
    verifyCertificateSpki = Copies.list(verifyCertificateSpki);
    verifyCertificateHash = Copies.list(verifyCertificateHash);
    cipherSuites = Copies.list(cipherSuites);
  }
}
