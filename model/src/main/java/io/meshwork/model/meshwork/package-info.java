/** Meshwork's own kinds (meshwork.io/v1alpha1) for what Istio lacks: rate limits and API keys. */
package io.meshwork.model.meshwork;
