package io.meshwork.proxy.security;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.security.SvidValidation.Reason;
import io.meshwork.proxy.security.SvidValidation.Rejected;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Validates a peer's certificate chain as an X.509-SVID (SPIFFE X509-SVID.md §4-5): the leaf is
 * an end-entity certificate with exactly one URI SAN holding a SPIFFE ID of the expected trust
 * domain, every certificate is valid at the clock's time, and the chain verifies (PKIX, RFC 5280
 * §6) to a root of the trust bundle. Revocation is not checked: SVIDs are short-lived instead.
 *
 * <p>Immutable and thread-safe; build a new one when the trust bundle changes.
 */
public final class SvidValidator {
  private static final int URI_SAN = 6;

  private final TrustAnchors anchors;
  private final String trustDomain;
  private final Clock clock;

  public SvidValidator(TrustAnchors anchors, String trustDomain, Clock clock) {
    this.anchors = Objects.requireNonNull(anchors, "anchors");
    this.trustDomain = SpiffeId.forTrustDomain(trustDomain).trustDomain();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** @param chain the peer's certificates, leaf first, as TLS presents them */
  public SvidValidation validate(List<X509Certificate> chain) {
    if (chain == null || chain.isEmpty()) {
      return new Rejected(Reason.EMPTY_CHAIN, "peer presented no certificate");
    }
    X509Certificate leaf = chain.get(0);
    if (leaf.getBasicConstraints() >= 0) {
      return new Rejected(Reason.LEAF_IS_CA, "leaf " + serial(leaf) + " has basicConstraints CA:true");
    }
    boolean[] usage = leaf.getKeyUsage();
    if (usage == null || !usage[0]) {
      return new Rejected(Reason.BAD_KEY_USAGE, "leaf " + serial(leaf) + " lacks keyUsage digitalSignature");
    }
    if (usage.length > 6 && (usage[5] || usage[6])) {
      return new Rejected(Reason.BAD_KEY_USAGE, "leaf " + serial(leaf) + " has keyCertSign or cRLSign");
    }
    SvidValidation identity = identity(leaf);
    if (identity instanceof Rejected) {
      return identity;
    }
    Date now = Date.from(clock.instant());
    for (X509Certificate certificate : chain) {
      try {
        certificate.checkValidity(now);
      } catch (CertificateExpiredException e) {
        return new Rejected(Reason.EXPIRED, "certificate " + serial(certificate) + " expired at "
            + certificate.getNotAfter().toInstant() + " (now " + clock.instant() + ")");
      } catch (CertificateNotYetValidException e) {
        return new Rejected(Reason.NOT_YET_VALID, "certificate " + serial(certificate) + " is valid from "
            + certificate.getNotBefore().toInstant() + " (now " + clock.instant() + ")");
      }
    }
    return verifyPath(chain, now).<SvidValidation>map(r -> r).orElse(identity);
  }

  public SvidValidation validate(X509Certificate[] chain) {
    return validate(chain == null ? List.of() : List.of(chain));
  }

  public String trustDomain() {
    return trustDomain;
  }

  public TrustAnchors anchors() {
    return anchors;
  }

  /** The peer of a finished handshake, re-validated; empty when it sent no valid SVID. */
  public java.util.Optional<SpiffeId> peerOf(javax.net.ssl.SSLSession session) {
    try {
      java.security.cert.Certificate[] certificates = session.getPeerCertificates();
      List<X509Certificate> chain = new ArrayList<>();
      for (java.security.cert.Certificate certificate : certificates) {
        if (certificate instanceof X509Certificate x509) {
          chain.add(x509);
        }
      }
      return validate(chain) instanceof SvidValidation.Valid valid ? java.util.Optional.of(valid.peer())
          : java.util.Optional.empty();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return java.util.Optional.empty();
    }
  }

  /** The trust domain of the leaf's SPIFFE ID (its URI SAN), unvalidated; for choosing a validator. */
  public static Optional<String> trustDomainOf(X509Certificate leaf) {
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (name.get(0) instanceof Integer type && type == URI_SAN
              && SpiffeId.parse(String.valueOf(name.get(1))) instanceof SpiffeId.Valid valid) {
            return Optional.of(valid.id().trustDomain());
          }
        }
      }
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private SvidValidation identity(X509Certificate leaf) {
    List<String> uris = new ArrayList<>();
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (name.get(0) instanceof Integer type && type == URI_SAN) {
            uris.add(String.valueOf(name.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return new Rejected(Reason.NO_URI_SAN, "leaf " + serial(leaf) + " has an unreadable SAN extension");
    }
    if (uris.isEmpty()) {
      return new Rejected(Reason.NO_URI_SAN, "leaf " + serial(leaf) + " has no URI SAN");
    }
    if (uris.size() > 1) {
      return new Rejected(Reason.MULTIPLE_URI_SANS, "leaf " + serial(leaf) + " has " + uris.size() + " URI SANs " + uris);
    }
    return switch (SpiffeId.parse(uris.get(0))) {
      case SpiffeId.Invalid invalid -> new Rejected(Reason.NOT_A_SPIFFE_ID, "URI SAN " + invalid.reason());
      case SpiffeId.Valid valid when !valid.id().memberOf(trustDomain) -> new Rejected(Reason.WRONG_TRUST_DOMAIN,
          "peer " + valid.id() + " is not in trust domain " + trustDomain);
      case SpiffeId.Valid valid -> new SvidValidation.Valid(valid.id());
    };
  }

  private Optional<Rejected> verifyPath(List<X509Certificate> chain, Date now) {
    // A peer may send its root along; PKIX wants the path without the anchor itself.
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate certificate : chain) {
      if (anchors.isAnchor(certificate)) {
        break;
      }
      path.add(certificate);
    }
    try {
      PKIXParameters parameters = new PKIXParameters(anchors.asPkixAnchors());
      parameters.setRevocationEnabled(false);
      parameters.setDate(now);
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
      return Optional.empty();
    } catch (CertPathValidatorException e) {
      boolean noAnchor = e.getReason() == CertPathValidatorException.BasicReason.UNSPECIFIED
          && e.getMessage() != null && e.getMessage().contains("anchor");
      return Optional.of(noAnchor || e.getReason() == java.security.cert.PKIXReason.NO_TRUST_ANCHOR
          ? new Rejected(Reason.UNTRUSTED_ROOT, "chain of " + serial(chain.get(0)) + " does not lead to a trusted root: "
              + e.getMessage())
          : new Rejected(Reason.INVALID_CHAIN, "chain of " + serial(chain.get(0)) + " does not verify: " + e.getMessage()));
    } catch (GeneralSecurityException e) {
      return Optional.of(new Rejected(Reason.INVALID_CHAIN,
          "chain of " + serial(chain.get(0)) + " cannot be checked: " + e.getMessage()));
    }
  }

  private static String serial(X509Certificate certificate) {
    return "serial=" + certificate.getSerialNumber().toString(16);
  }
}
