/** The mesh's certificate authority: root keys, X.509-SVID issuance from CSRs, trust bundles, join tokens. */
package io.meshwork.control.ca;
