/** HTTP/1.1 conformance and smuggling cases (after Http11Probe's list) replayed over raw sockets against every port type. */
package io.meshwork.proxy.hardening.probe;
