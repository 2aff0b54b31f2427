package io.meshwork.proxy.dapr;

/**
 * Why a store call failed, as a value carried by a failed future; never logged with a stack trace (the
 * cause is usually a refused or timed-out connection, or a caller's stale ETag).
 */
public final class StateFailure extends RuntimeException {
  /** What went wrong, which decides the status Dapr answers with. */
  public enum Reason { ETAG_MISMATCH, UNAVAILABLE, BUSY }

  private final Reason reason;

  public StateFailure(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  static StateFailure etagMismatch(String key) {
    return new StateFailure(Reason.ETAG_MISMATCH, "possible etag mismatch for key " + key);
  }
}
