/** Kubernetes-style objects (apiVersion, kind, metadata, spec) kept in the key-value store, with admission checks. */
package io.meshwork.control.resource;
