/** Istio RequestAuthentication: JWT extraction and validation against JWKS, yielding the request principal. */
package io.meshwork.proxy.security.authn;
