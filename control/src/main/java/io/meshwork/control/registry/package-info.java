/** The service registry: workloads register as WorkloadEntries held alive by a lease, and vanish when it lapses. */
package io.meshwork.control.registry;
