/** Istio AuthorizationPolicy enforcement: path normalization, policy compilation and request decisions. */
package io.meshwork.proxy.security.authz;
