package io.meshwork.proxy.config;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** The current snapshot of a sidecar. Readers take {@link #get()} once per request. */
public final class SnapshotRef {
  private final AtomicReference<MeshSnapshot> current;
  private final List<Consumer<MeshSnapshot>> listeners = new CopyOnWriteArrayList<>();

  public SnapshotRef(MeshSnapshot initial) {
    this.current = new AtomicReference<>(initial);
  }

  public MeshSnapshot get() {
    return current.get();
  }

  /** Swaps in a new snapshot; requests already routed keep the one they started with. */
  public void set(MeshSnapshot next) {
    current.set(next);
    for (Consumer<MeshSnapshot> listener : listeners) {
      listener.accept(next);
    }
  }

  /** Calls {@code listener} with every snapshot set from now on, on the thread that sets it (never an event loop's). */
  public void onSet(Consumer<MeshSnapshot> listener) {
    listeners.add(listener);
  }
}
