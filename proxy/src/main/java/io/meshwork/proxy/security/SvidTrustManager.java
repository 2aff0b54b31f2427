package io.meshwork.proxy.security;

import io.meshwork.model.identity.SpiffeId;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Plugs {@link SvidValidator} into a TLS handshake, for both directions of mutual TLS. Host name
 * verification does not apply: the peer is identified by its SPIFFE ID, which must also satisfy
 * {@code acceptedPeers} (e.g. the service accounts a DestinationRule's {@code subjectAltNames}
 * names, or any peer of the trust domain on the inbound side, where authorization decides later).
 */
public final class SvidTrustManager extends X509ExtendedTrustManager {
  private final SvidValidator validator;
  private final Predicate<SpiffeId> acceptedPeers;

  public SvidTrustManager(SvidValidator validator, Predicate<SpiffeId> acceptedPeers) {
    this.validator = Objects.requireNonNull(validator, "validator");
    this.acceptedPeers = Objects.requireNonNull(acceptedPeers, "acceptedPeers");
  }

  /** Accepts any valid SVID of the validator's trust domain. */
  public static SvidTrustManager anyPeer(SvidValidator validator) {
    return new SvidTrustManager(validator, id -> true);
  }

  public SvidValidator validator() {
    return validator;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    check(chain);
  }

  /** The roots, so a server's CertificateRequest names the CAs it accepts (RFC 8446 §4.2.4). */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return validator.anchors().roots().toArray(X509Certificate[]::new);
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    switch (validator.validate(chain)) {
      case SvidValidation.Valid valid when acceptedPeers.test(valid.peer()) -> { }
      case SvidValidation.Valid valid -> throw new CertificateException("peer " + valid.peer() + " is not accepted here");
      case SvidValidation.Rejected rejected ->
          throw new CertificateException("peer SVID rejected: " + rejected.reason() + ": " + rejected.detail());
    }
  }
}
