/**
 * Outlier detection (Istio DestinationRule {@code outlierDetection}, Envoy's passive health
 * checking): every attempt's outcome is observed, and an endpoint with too many consecutive
 * errors is ejected from its cluster's balancing for a growing time.
 */
package io.meshwork.proxy.outlier;
