package io.meshwork.proxy.admin;

import io.meshwork.proxy.config.MeshSnapshot;
import java.util.Map;
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
 * @param stats live counters shown by {@code /config} beside the snapshot (e.g. {@code egress}); empty when null
 */
public record AdminControls(Supplier<Optional<String>> notReady, Supplier<MeshSnapshot> snapshot, Runnable drain,
    Runnable undrain, AdminAccess access, Supplier<Map<String, Object>> stats) {

  public AdminControls {
    stats = stats == null ? Map::of : stats;
  }

  /** Controls without live counters. */
  public AdminControls(Supplier<Optional<String>> notReady, Supplier<MeshSnapshot> snapshot, Runnable drain,
      Runnable undrain, AdminAccess access) {
    this(notReady, snapshot, drain, undrain, access, null);
  }
}
