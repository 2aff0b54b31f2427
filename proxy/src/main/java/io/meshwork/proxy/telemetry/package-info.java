/**
 * Telemetry read from the request record when a request ends: Istio's standard metrics under Istio's
 * names and labels, exposed in the Prometheus text format on the admin port's {@code /metrics}, and
 * Envoy-style access logs (meshConfig {@code accessLogFile}, {@code accessLogEncoding}, {@code
 * accessLogFormat}) written off the event loops.
 */
package io.meshwork.proxy.telemetry;
