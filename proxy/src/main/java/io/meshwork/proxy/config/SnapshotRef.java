package io.meshwork.proxy.config;

import java.util.concurrent.atomic.AtomicReference;

/** The current snapshot of a sidecar. Readers take {@link #get()} once per request. */
public final class SnapshotRef {
  private final AtomicReference<MeshSnapshot> current;

  public SnapshotRef(MeshSnapshot initial) {
    this.current = new AtomicReference<>(initial);
  }

  public MeshSnapshot get() {
    return current.get();
  }

  /** Swaps in a new snapshot; requests already routed keep the one they started with. */
  public void set(MeshSnapshot next) {
    current.set(next);
  }
}
