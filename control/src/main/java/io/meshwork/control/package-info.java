/** The Meshwork control plane: resource store, Kubernetes-style API with watch streams, and service registry. */
package io.meshwork.control;
