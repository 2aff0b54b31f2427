package io.meshwork.control.registry;

/**
 * A live registration.
 *
 * @param name            the WorkloadEntry's name
 * @param leaseId         the lease to renew with keep-alives
 * @param ttlSeconds      how long the entry lives without one
 * @param resourceVersion the WorkloadEntry's resourceVersion after the write
 */
public record Registered(String namespace, String name, long leaseId, long ttlSeconds, long resourceVersion) {
}
