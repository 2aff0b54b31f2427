/** Istio security.istio.io resources: AuthorizationPolicy, PeerAuthentication, RequestAuthentication. */
package io.meshwork.model.security;
