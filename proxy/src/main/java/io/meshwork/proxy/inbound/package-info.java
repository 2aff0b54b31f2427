/** The inbound port: traffic from peers (or callers) forwarded to the local application. */
package io.meshwork.proxy.inbound;
