/** Outbound ways in: the HTTP proxy port (absolute-form, Host, dapr-app-id, Dapr invoke paths) and the per-service upstream ports. */
package io.meshwork.proxy.outbound;
