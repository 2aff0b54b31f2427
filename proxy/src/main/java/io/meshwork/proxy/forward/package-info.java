/** The per-request exchange: route, pick an endpoint, attempt, retry or time out, and stream the response back. */
package io.meshwork.proxy.forward;
