package io.meshwork.control.auth;

import io.meshwork.control.ca.CertificateAuthority;
import io.meshwork.control.ca.JoinTokens;
import io.meshwork.model.identity.SpiffeId;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns a request's credentials into a {@link Caller}. A bearer token (RFC 6750 §2.1) is either the admin token or a
 * join token; without one, a client certificate the TLS handshake already verified against the trust bundle names
 * a workload by the SPIFFE ID in its URI SAN (X509-SVID §2).
 */
public final class Authenticator {
  private static final String BEARER = "bearer ";

  private final AdminToken admin;
  private final CertificateAuthority ca;

  public Authenticator(AdminToken admin, CertificateAuthority ca) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.ca = Objects.requireNonNull(ca, "ca");
  }

  /**
   * @param authorization the Authorization header, or null
   * @param peerChain the verified client certificate chain, leaf first; empty without mutual TLS
   */
  public Caller authenticate(String authorization, List<X509Certificate> peerChain) {
    if (authorization != null) {
      return bearer(authorization.strip());
    }
    if (peerChain.isEmpty()) {
      return new Caller.Anonymous();
    }
    return certificate(peerChain.get(0));
  }

  public AdminToken adminToken() {
    return admin;
  }

  private Caller bearer(String header) {
    if (!header.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
      return new Caller.Rejected("Authorization: " + scheme(header) + " (expected: Bearer <token>)");
    }
    String token = header.substring(BEARER.length()).strip();
    if (admin.matches(token)) {
      return new Caller.Admin();
    }
    return switch (ca.joinTokens().verify(token)) {
      case JoinTokens.Valid valid -> valid.identity().memberOf(ca.trustDomain())
          ? new Caller.Workload(valid.identity(), token)
          : new Caller.Rejected("token identity: " + valid.identity() + " (expected: in trust domain "
              + ca.trustDomain() + ")");
      case JoinTokens.Invalid invalid -> switch (invalid.failure()) {
        case MALFORMED -> new Caller.Rejected("token: not the admin token nor a join token (expected: a token from"
            + " <data-dir>/admin-token or 'meshwork token create')");
        case IDENTITY_REVOKED -> new Caller.Revoked(invalid.message());
        default -> new Caller.Rejected(invalid.message());
      };
    };
  }

  private Caller certificate(X509Certificate leaf) {
    List<String> uris = new ArrayList<>();
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          // RFC 5280 §4.2.1.6: GeneralName tag 6 is uniformResourceIdentifier.
          if (Integer.valueOf(6).equals(name.get(0))) {
            uris.add((String) name.get(1));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return new Caller.Rejected("client certificate: unreadable SAN (expected: an X.509-SVID)");
    }
    if (uris.size() != 1) {
      return new Caller.Rejected("client certificate: " + uris.size() + " URI SANs (expected: exactly one SPIFFE ID)");
    }
    return switch (SpiffeId.parse(uris.get(0))) {
      case SpiffeId.Valid valid when valid.id().memberOf(ca.trustDomain())
          && ca.revocations().revoked(valid.id(), leaf.getNotBefore().toInstant()) -> new Caller.Revoked(
              "client certificate: " + valid.id() + " was revoked at " + ca.revocations().cutoff(valid.id())
                  .orElseThrow() + " and this certificate is older (expected: a certificate from a join token"
                  + " created after that)");
      case SpiffeId.Valid valid when valid.id().memberOf(ca.trustDomain()) -> new Caller.Workload(valid.id(), null);
      case SpiffeId.Valid valid -> new Caller.Rejected("client certificate: " + valid.id()
          + " (expected: in trust domain " + ca.trustDomain() + ")");
      case SpiffeId.Invalid invalid -> new Caller.Rejected("client certificate: " + invalid.reason());
    };
  }

  private static String scheme(String header) {
    int space = header.indexOf(' ');
    // Never echo the credential itself: only the scheme word, and only when there is one.
    return space < 0 ? "a value without a scheme" : "scheme " + header.substring(0, Math.min(space, 32));
  }
}
