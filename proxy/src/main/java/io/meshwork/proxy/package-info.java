/** The Meshwork sidecar proxy: {@link io.meshwork.proxy.Sidecar} assembles listeners, routing and upstream pools. */
package io.meshwork.proxy;
