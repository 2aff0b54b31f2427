package io.meshwork.proxy.stack;

import java.util.ArrayList;
import java.util.List;

/**
 * The stages a port runs for every request, in order. Immutable and shared by all event loops;
 * built once, by {@code io.meshwork.proxy.ProxyStacks}.
 */
public final class RequestStack {
  public static final RequestStack EMPTY = new RequestStack(new RequestStage[0]);

  private final RequestStage[] stages;

  private RequestStack(RequestStage[] stages) {
    this.stages = stages;
  }

  public static Builder builder() {
    return new Builder();
  }

  public int size() {
    return stages.length;
  }

  public RequestStage get(int i) {
    return stages[i];
  }

  /** Tells every stage that a request ended. */
  public void ended(RequestRecord record) {
    for (RequestStage s : stages) {
      s.onEnd(record);
    }
  }

  /** Pushes stages in the order requests meet them (linkerd2-proxy's {@code push}). */
  public static final class Builder {
    private final List<RequestStage> stages = new ArrayList<>();

    private Builder() {}

    public Builder push(RequestStage stage) {
      stages.add(stage);
      return this;
    }

    /** Pushes every stage of {@code stack}, in its order. */
    public Builder pushAll(RequestStack stack) {
      for (RequestStage s : stack.stages) {
        stages.add(s);
      }
      return this;
    }

    public RequestStack build() {
      return stages.isEmpty() ? EMPTY : new RequestStack(stages.toArray(RequestStage[]::new));
    }
  }
}
