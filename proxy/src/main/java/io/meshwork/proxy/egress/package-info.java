/** Traffic to hosts outside the mesh: Istio's outbound traffic policy (passthrough or refusal) and CONNECT tunnels on the HTTP proxy port. */
package io.meshwork.proxy.egress;
