/** Workload identity in the sidecar: key and CSR generation, X.509-SVID validation of peers. */
package io.meshwork.proxy.security;
