package io.meshwork.proxy.admin;

import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.telemetry.IstioMetrics;
import java.util.Optional;
import java.util.function.Function;
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
 * @param metrics the metrics in the format an Accept header asks for, or null when the sidecar keeps none
 */
public record AdminControls(Supplier<Optional<String>> notReady, Supplier<MeshSnapshot> snapshot, Runnable drain,
    Runnable undrain, AdminAccess access, Function<String, IstioMetrics.Scrape> metrics) {

  public AdminControls(Supplier<Optional<String>> notReady, Supplier<MeshSnapshot> snapshot, Runnable drain,
      Runnable undrain, AdminAccess access) {
    this(notReady, snapshot, drain, undrain, access, null);
  }
}
