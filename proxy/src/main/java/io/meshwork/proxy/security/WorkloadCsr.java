package io.meshwork.proxy.security;

import io.meshwork.model.identity.SpiffeId;
import java.security.KeyPair;
import java.util.Base64;

/**
 * A fresh key pair and the PKCS#10 request for it. The private key stays in this process; only
 * {@link #csrPem()} goes to the CA.
 */
public record WorkloadCsr(SpiffeId identity, KeyPair keyPair, String csrPem) {
  /** The private key as unencrypted PKCS#8 PEM, for TLS libraries that want text. */
  public String privateKeyPem() {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keyPair.getPrivate().getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
  }

  @Override
  public String toString() {
    return "WorkloadCsr[identity=" + identity + "]";
  }
}
