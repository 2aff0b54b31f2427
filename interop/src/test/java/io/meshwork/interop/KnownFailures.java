package io.meshwork.interop;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What passes direct but fails through Meshwork today: issue 7, in one place. The suite asserts that each case in
 * {@link #ISSUE_7} and each transfer in {@link #DOWNLOADS} STILL FAILS, so a fix makes the build red until its
 * entries are removed: these lists only shrink. Entries in {@link #UNSTABLE} and {@link #UNSTABLE_DOWNLOADS} have
 * both passed and failed in runs of the same build (issue 7's flow-control stall); they are run and reported but
 * not asserted. Measured on main (3c042cd); docs/conformance.md has the same tables.
 */
final class KnownFailures {
  /** One gRPC interop case in one topology with one client transport. */
  record Entry(Topology topology, Transport transport, String name) {}

  /**
   * Trailers-only responses (a gRPC status in one HEADERS frame with END_STREAM, RFC 9113 §8.1; gRPC's
   * "Trailers-Only") reach the client without END_STREAM on that frame: "Received unexpected EOS on empty DATA
   * frame from server". Deterministic, in both topologies.
   */
  private static final List<String> TRAILERS_ONLY = List.of("empty_stream", "status_code_and_message",
      "special_status_message", "unimplemented_method", "unimplemented_service");

  /**
   * Cases with messages past the default 65,535-byte HTTP/2 window (RFC 9113 §5.2, §6.9.2) that stall: no result
   * within {@link InteropRun#KNOWN_FAILURE_SECONDS}. Usually: each of them has also passed now and then, in both
   * topologies, so they are {@link #UNSTABLE}.
   */
  private static final List<String> FLOW_CONTROL = List.of("large_unary", "client_compressed_unary_noprobe",
      "server_compressed_unary", "custom_metadata", "rpc_soak", "channel_soak");

  /** Flow-control stalls through two sidecars only (through one, it has passed in every run so far). */
  private static final List<String> FLOW_CONTROL_TWO_SIDECARS = List.of("very_large_request");

  /** Asserted to still fail. */
  static final Set<Entry> ISSUE_7 = issue7();

  /**
   * Issue 7 cases whose outcome differs between runs of one build: the flow-control stall depends on timing and on
   * what went before on the sidecars' connections. They run with the same short stall limit and
   * are reported (a failure as a skipped test with its reason), never asserted; empty this set when the
   * flow-control fix lands.
   */
  static final Set<Entry> UNSTABLE = unstable();

  /**
   * nghttp2-tool transfers (NghttpDownloadTest) asserted to still fail, as "TOPOLOGY TOOL BODY WINDOW": through a
   * sidecar, downloads stall after about 124 KiB (two 65,535-byte windows), sometimes a few MiB, whatever the
   * client's windows; h2load's 10 MiB gets 192 KiB and fails. None of these has completed through a sidecar yet.
   */
  static final Set<String> DOWNLOADS = downloads(List.of("MIB_10", "GIB_1"), true);

  /** 300 KiB transfers through a sidecar have both stalled and (rarely) completed: reported, not asserted. */
  static final Set<String> UNSTABLE_DOWNLOADS = downloads(List.of("KIB_300"), false);

  /**
   * How long a listed h2load run gets: 10 MiB at 65,535-byte windows takes well under a second direct, so a fixed
   * sidecar passes in time and the listing fails the build.
   */
  static final long H2LOAD_STALL_SECONDS = 10;

  private KnownFailures() {}

  static boolean listed(Topology topology, Transport transport, String name) {
    return ISSUE_7.contains(new Entry(topology, transport, name));
  }

  static boolean unstable(Topology topology, Transport transport, String name) {
    return UNSTABLE.contains(new Entry(topology, transport, name));
  }

  private static Set<Entry> issue7() {
    Set<Entry> s = new HashSet<>();
    for (Transport transport : Transport.values()) {
      for (Topology topology : List.of(Topology.ONE_SIDECAR, Topology.MTLS_MESH)) {
        TRAILERS_ONLY.forEach(c -> s.add(new Entry(topology, transport, c)));
      }
    }
    return Set.copyOf(s);
  }

  private static Set<Entry> unstable() {
    Set<Entry> s = new HashSet<>();
    for (Transport transport : Transport.values()) {
      for (Topology topology : List.of(Topology.ONE_SIDECAR, Topology.MTLS_MESH)) {
        FLOW_CONTROL.forEach(c -> s.add(new Entry(topology, transport, c)));
      }
      FLOW_CONTROL_TWO_SIDECARS.forEach(c -> s.add(new Entry(Topology.MTLS_MESH, transport, c)));
    }
    return Set.copyOf(s);
  }

  private static Set<String> downloads(List<String> bodies, boolean withH2load) {
    Set<String> s = new HashSet<>();
    for (Topology topology : List.of(Topology.ONE_SIDECAR, Topology.MTLS_MESH)) {
      for (String body : bodies) {
        for (String window : List.of("DEFAULT", "SMALL")) {
          s.add(topology + " nghttp " + body + " " + window);
        }
      }
      if (withH2load) {
        s.add(topology + " h2load MIB_10 SMALL");
      }
    }
    return Set.copyOf(s);
  }
}
