/** HTTP handling shared by every port: codec limits, hop-by-hop header hygiene and the proxy's own error responses. */
package io.meshwork.proxy.http;
