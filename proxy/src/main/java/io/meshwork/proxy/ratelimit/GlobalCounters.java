package io.meshwork.proxy.ratelimit;

import java.util.concurrent.CompletableFuture;

/**
 * Where a GLOBAL rate limit leases its tokens: a fixed window per policy and caller key, counted for every instance
 * together. Calls never block; the future completes on any thread, exceptionally when the counters cannot be
 * reached.
 */
public interface GlobalCounters {

  /** A sidecar without a control plane: every lease fails, so GLOBAL limits follow their failure mode. */
  GlobalCounters NONE = new GlobalCounters() {
    @Override
    public CompletableFuture<Lease> lease(String namespace, String policy, String key, long tokens) {
      return CompletableFuture.failedFuture(new IllegalStateException("no control plane holds the counters"));
    }

    @Override
    public String describe() {
      return "none (no control plane)";
    }
  };

  /** Asks for up to {@code tokens} of the current window of {@code policy}'s budget for {@code key}. */
  CompletableFuture<Lease> lease(String namespace, String policy, String key, long tokens);

  /** Where the counters are, for log lines. */
  String describe();

  /**
   * @param granted the tokens lent (0: the window's quota is spent)
   * @param windowRemainingMillis how long the window still runs; the tokens expire with it
   */
  record Lease(long granted, long windowRemainingMillis) {}
}
