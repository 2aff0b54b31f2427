/** Workload identity values: SPIFFE IDs and their Istio principal form. */
package io.meshwork.model.identity;
