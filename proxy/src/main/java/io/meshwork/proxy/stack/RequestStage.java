package io.meshwork.proxy.stack;

/**
 * One capability that looks at every request once, on the downstream's event loop, before the
 * router: authentication and authorization, fault injection, later rate limits. Stages are
 * shared by every event loop and hold no per-request state; whatever they need per request comes
 * from the {@link StageRequest}, and whatever they need per route from the snapshot's compiled
 * policy on the matched route.
 */
public interface RequestStage {

  /** What to do with the request: go on, answer it here, or wait first. Must not block. */
  StageVerdict onRequest(StageRequest request);

  /**
   * Called once when the request ended, however it ended (a response, a local answer, a reset, a
   * downstream that went away). The record is complete and must not be kept.
   */
  default void onEnd(RequestRecord record) {}
}
