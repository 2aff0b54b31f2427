/** Mutual TLS between sidecars: the workload's certificate, inbound TLS by PeerAuthentication, upstream TLS by DestinationRule. */
package io.meshwork.proxy.tls;
