package io.meshwork.interop;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Interop cases that pass direct but fail through Meshwork today: issue 7. The suite asserts that each one listed
 * here STILL FAILS, so a fix makes the build red until its cases are removed from this list; the list can only
 * shrink. Measured on main; docs/conformance.md has the same table.
 */
final class KnownFailures {
  /** One case in one topology with one client transport. */
  record Entry(Topology topology, Transport transport, String name) {}

  /**
   * Trailers-only responses (a gRPC status in one HEADERS frame with END_STREAM, RFC 9113 §8.1; gRPC's
   * "Trailers-Only") reach the client without END_STREAM on that frame: "Received unexpected EOS on empty DATA
   * frame from server". Deterministic.
   */
  private static final List<String> TRAILERS_ONLY = List.of("empty_stream", "status_code_and_message",
      "special_status_message", "unimplemented_method", "unimplemented_service");

  /**
   * Cases with messages past the default 65,535-byte HTTP/2 window (RFC 9113 §5.2, §6.9.2) that stall: no result
   * within {@link InteropRun#KNOWN_FAILURE_SECONDS}.
   */
  private static final List<String> FLOW_CONTROL = List.of("large_unary", "server_compressed_unary",
      "custom_metadata", "rpc_soak", "channel_soak");

  /** A flow-control stall through one sidecar with grpc-java's Netty transport only (OkHttp passes). */
  private static final Set<Entry> FLOW_CONTROL_ONE_TRANSPORT = Set.of(
      new Entry(Topology.ONE_SIDECAR, Transport.NETTY, "client_compressed_unary_noprobe"));

  /** Flow-control stalls through two sidecars only, with both transports. */
  private static final List<String> FLOW_CONTROL_TWO_SIDECARS = List.of("client_compressed_unary_noprobe",
      "very_large_request");

  static final Set<Entry> ISSUE_7 = build();

  /** nghttp2-tool transfers (NghttpDownloadTest) that fail today: "TOPOLOGY TOOL BODY WINDOW". */
  static final Set<String> DOWNLOADS = Set.of();

  /** Transfers left out of a run for time, with the reason. */
  static final Map<String, String> SLOW_DOWNLOADS = Map.of();

  /** How long a listed transfer runs before it counts as stalled. */
  static final long STALL_SECONDS = 10;

  private KnownFailures() {}

  static boolean listed(Topology topology, Transport transport, String name) {
    return ISSUE_7.contains(new Entry(topology, transport, name));
  }

  private static Set<Entry> build() {
    Set<Entry> s = new HashSet<>();
    for (Topology topology : List.of(Topology.ONE_SIDECAR, Topology.MTLS_MESH)) {
      for (Transport transport : Transport.values()) {
        TRAILERS_ONLY.forEach(c -> s.add(new Entry(topology, transport, c)));
        FLOW_CONTROL.forEach(c -> s.add(new Entry(topology, transport, c)));
      }
    }
    for (Transport transport : Transport.values()) {
      FLOW_CONTROL_TWO_SIDECARS.forEach(c -> s.add(new Entry(Topology.MTLS_MESH, transport, c)));
    }
    s.addAll(FLOW_CONTROL_ONE_TRANSPORT);
    return Set.copyOf(s);
  }
}
