/** The SOCKS5 outbound port (RFC 1928): any TCP client names a mesh service host and is spliced to it. */
package io.meshwork.proxy.socks;
