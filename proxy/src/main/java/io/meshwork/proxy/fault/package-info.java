/**
 * Fault injection (Istio VirtualService {@code fault}): stages that delay or abort a share of the
 * requests of a route, marking them DI or FI in the request record.
 */
package io.meshwork.proxy.fault;
