/** Dapr's building blocks on the sidecar: the state API over HTTP, backed by state.sqlite and state.redis. */
package io.meshwork.proxy.dapr;
