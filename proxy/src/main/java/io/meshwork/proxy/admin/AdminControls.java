package io.meshwork.proxy.admin;

import io.meshwork.proxy.config.MeshSnapshot;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the admin port reads and triggers.
 *
 * @param ready whether every listener is bound and a snapshot is loaded (and not draining)
 * @param snapshot the current snapshot, or null before the first one
 * @param drain stops accepting traffic; in-flight requests finish
 */
public record AdminControls(BooleanSupplier ready, Supplier<MeshSnapshot> snapshot, Runnable drain) {}
