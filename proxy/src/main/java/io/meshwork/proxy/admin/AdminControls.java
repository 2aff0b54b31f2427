package io.meshwork.proxy.admin;

import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.telemetry.IstioMetrics;
import java.util.Map;
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
 * @param stats live counters shown by {@code /config} beside the snapshot (e.g. {@code egress}); empty when null
 * @param metrics the metrics in the format an Accept header asks for, or null when the sidecar keeps none
 */
public record AdminControls(Supplier<Optional<String>> notReady, Supplier<MeshSnapshot> snapshot, Runnable drain,
    Runnable undrain, AdminAccess access, Supplier<Map<String, Object>> stats,
    Function<String, IstioMetrics.Scrape> metrics) {

  public AdminControls {
    stats = stats == null ? Map::of : stats;
  }

  /** Controls without live counters or metrics. */
  public AdminControls(Supplier<Optional<String>> notReady, Supplier<MeshSnapshot> snapshot, Runnable drain,
      Runnable undrain, AdminAccess access) {
    this(notReady, snapshot, drain, undrain, access, null, null);
  }

  /** Controls without metrics. */
  public AdminControls(Supplier<Optional<String>> notReady, Supplier<MeshSnapshot> snapshot, Runnable drain,
      Runnable undrain, AdminAccess access, Supplier<Map<String, Object>> stats) {
    this(notReady, snapshot, drain, undrain, access, stats, null);
  }
}
