package io.meshwork.control.ca;

/** The CA refused to sign; {@link #reason()} tells the CSR endpoint which status to answer. */
public final class IssuanceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a signing request was refused. */
  public enum Reason {
    /** Not a PEM PKCS#10 request. HTTP 400. */
    MALFORMED_CSR,
    /** The CSR's self-signature does not verify: the caller does not hold the key. HTTP 400. */
    BAD_CSR_SIGNATURE,
    /** A key type or size the mesh does not accept. HTTP 400. */
    UNSUPPORTED_KEY,
    /** A lifetime out of range. HTTP 400. */
    INVALID_TTL,
    /** The identity is not in the CA's trust domain. HTTP 403. */
    FOREIGN_TRUST_DOMAIN,
    /** No valid join token. HTTP 401. */
    BAD_TOKEN,
    /** The CSR asks for another identity than its token grants. HTTP 403. */
    IDENTITY_MISMATCH,
    /** The identity was revoked after the credential was issued. HTTP 403. */
    REVOKED_IDENTITY
  }

  private final Reason reason;

  public IssuanceException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public IssuanceException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
