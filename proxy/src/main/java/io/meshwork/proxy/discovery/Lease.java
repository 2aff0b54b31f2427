package io.meshwork.proxy.discovery;

/**
 * A registration held by the control plane.
 *
 * @param namespace where the WorkloadEntry lives
 * @param name the WorkloadEntry's name, used to renew and to deregister
 * @param leaseId the store lease keeping it alive
 * @param ttlSeconds how long it lives without a renewal
 * @param resourceVersion the entry's revision after the write
 */
public record Lease(String namespace, String name, String leaseId, long ttlSeconds, long resourceVersion) {}
