/** Upstream connections: per-event-loop HTTP/1.1 and HTTP/2 connection pools and the request streams they lend out. */
package io.meshwork.proxy.upstream;
