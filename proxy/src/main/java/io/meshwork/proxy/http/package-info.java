/** HTTP handling shared by every port: strict request parsing and limits, hop-by-hop header hygiene and the proxy's own error responses. */
package io.meshwork.proxy.http;
