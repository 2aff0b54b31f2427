package io.meshwork.proxy.security;

import io.meshwork.model.identity.SpiffeId;

/** What {@link SvidValidator} concluded about a peer's certificate chain. */
public sealed interface SvidValidation {

  /** The chain is a valid X.509-SVID of the expected trust domain. */
  record Valid(SpiffeId peer) implements SvidValidation {}

  /** Why the chain was refused; {@code detail} is for logs and never sent to the peer. */
  record Rejected(Reason reason, String detail) implements SvidValidation {}

  enum Reason {
    EMPTY_CHAIN,
    /** X509-SVID §4.1: a leaf must have CA:false. */
    LEAF_IS_CA,
    /** X509-SVID §4.3: a leaf has digitalSignature and neither keyCertSign nor cRLSign. */
    BAD_KEY_USAGE,
    /** X509-SVID §2: exactly one URI SAN. */
    NO_URI_SAN,
    MULTIPLE_URI_SANS,
    /** The URI SAN is not a valid SPIFFE ID (wrong scheme, bad trust domain or path). */
    NOT_A_SPIFFE_ID,
    WRONG_TRUST_DOMAIN,
    EXPIRED,
    NOT_YET_VALID,
    /** The chain does not lead to a root of the trust bundle. */
    UNTRUSTED_ROOT,
    /** The chain does not verify: bad signature, intermediate not a CA, path constraints. */
    INVALID_CHAIN
  }
}
