package io.meshwork.control.ca;

import io.meshwork.model.identity.SpiffeId;
import java.time.Instant;

/**
 * An X.509-SVID the CA signed, ready to send back to a sidecar.
 *
 * @param identity the SPIFFE ID in the leaf's URI SAN
 * @param certificateChainPem the leaf, then any intermediates (none today: roots sign leaves)
 * @param trustBundlePem every root the mesh currently trusts, for the sidecar's trust store
 * @param serialNumberHex the leaf's serial number
 * @param notBefore start of validity (backdated for clock skew)
 * @param notAfter end of validity; the sidecar renews well before it
 */
public record IssuedCertificate(
    SpiffeId identity,
    String certificateChainPem,
    String trustBundlePem,
    String serialNumberHex,
    Instant notBefore,
    Instant notAfter) {}
