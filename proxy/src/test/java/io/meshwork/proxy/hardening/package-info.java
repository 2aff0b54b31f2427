/** Raw-socket tests of the downstream defences: request smuggling, malformed HTTP/1 and HTTP/2 floods. */
package io.meshwork.proxy.hardening;
