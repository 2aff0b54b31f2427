package io.meshwork.proxy.admin;

import io.meshwork.proxy.config.MeshSnapshot;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the admin port reads and triggers.
 *
 * @param notReady why the sidecar is not ready (listeners unbound, no snapshot, draining, no
 *     workload identity), or empty when it is
 * @param snapshot the current snapshot, or null before the first one
 * @param drain stops accepting traffic; in-flight requests finish (blocking: run off the event loop)
 * @param undrain accepts traffic again on the same ports (blocking); throws IllegalStateException
 *     with a one-line reason when a port cannot be bound again
 * @param access who may call what
 */
public record AdminControls(Supplier<Optional<String>> notReady, Supplier<MeshSnapshot> snapshot, Runnable drain,
    Runnable undrain, AdminAccess access) {}
