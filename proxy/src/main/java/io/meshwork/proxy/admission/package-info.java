/**
 * Per-cluster admission: circuit breaking by the DestinationRule's {@code connectionPool} limits
 * (Envoy's circuit breakers), shared by every event loop of the proxy.
 */
package io.meshwork.proxy.admission;
