/** Istio's VirtualService {@code corsPolicy}: preflights answered by the sidecar, response headers for allowed origins. */
package io.meshwork.proxy.cors;
