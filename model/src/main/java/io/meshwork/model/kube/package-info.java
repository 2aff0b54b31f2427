/** Kubernetes and Istio install kinds accepted for compatibility; only some of their fields mean anything here. */
package io.meshwork.model.kube;
