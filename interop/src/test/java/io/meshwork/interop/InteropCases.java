package io.meshwork.interop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * grpc-java 1.76.0's interop cases ({@code TestServiceClient --help}, in its order), and the ones that cannot run
 * here at all, with the reason. A skipped case is reported as skipped with that reason in every topology; it is
 * listed in docs/conformance.md too.
 */
final class InteropCases {
  /** Every case the client offers. */
  static final List<String> ALL = List.of(
      "empty_unary", "cacheable_unary", "large_unary", "client_compressed_unary", "client_compressed_unary_noprobe",
      "server_compressed_unary", "client_streaming", "client_compressed_streaming",
      "client_compressed_streaming_noprobe", "server_streaming", "server_compressed_streaming", "ping_pong",
      "empty_stream", "compute_engine_creds", "compute_engine_channel_credentials", "service_account_creds",
      "jwt_token_creds", "oauth2_auth_token", "per_rpc_creds", "google_default_credentials", "custom_metadata",
      "status_code_and_message", "special_status_message", "unimplemented_method", "unimplemented_service",
      "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server", "very_large_request",
      "pick_first_unary", "rpc_soak", "channel_soak", "orca_per_rpc", "orca_oob");

  private static final String GOOGLE = "needs Google Cloud credentials (a service account, the GCE metadata server or"
      + " OAuth tokens) and a TLS server with Google's certificate; this machine has neither";

  /** Cases that cannot pass even direct, and why. */
  static final Map<String, String> SKIPPED = skipped();

  /**
   * The soak cases' flags: fewer iterations than grpc-java's default of 10, and a per-iteration latency bound
   * generous enough for a loaded 2-core machine (the default 1000 ms is meant for a quiet one).
   */
  static final List<String> SOAK_FLAGS = List.of("--soak_iterations=5",
      "--soak_per_iteration_max_acceptable_latency_ms=10000", "--soak_overall_timeout_seconds=60");

  private InteropCases() {}

  private static Map<String, String> skipped() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String c : List.of("compute_engine_creds", "compute_engine_channel_credentials", "service_account_creds",
        "jwt_token_creds", "oauth2_auth_token", "per_rpc_creds", "google_default_credentials")) {
      m.put(c, GOOGLE);
    }
    m.put("cacheable_unary", "grpc-java's TestServiceServer does not implement CacheableUnaryCall (UNIMPLEMENTED direct)");
    for (String c : List.of("client_compressed_unary", "client_compressed_streaming")) {
      m.put(c, "its feature probe expects the server to refuse a message flagged expect_compressed that arrives"
          + " uncompressed; grpc-java's TestServiceServer does not check (fails direct); " + c + "_noprobe, which"
          + " runs the same compressed calls without the probe, is in the suite");
    }
    for (String c : List.of("orca_per_rpc", "orca_oob")) {
      m.put(c, "needs --service_config_json selecting grpc-java's test_backend_metrics_load_balancer, a flag for"
          + " these cases only, while one client process runs every case with one set of flags (orca_per_rpc"
          + " passes direct with it; orca_oob then fails set-up in the same JVM)");
    }
    return m;
  }
}
