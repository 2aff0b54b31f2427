package io.meshwork.cli;

import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a large apply into requests the control plane handles in bounded time and memory. Each batch is one store
 * transaction on the control plane (all of it at one revision, or none of it); an apply that fits in one batch is
 * therefore all or nothing, and a larger one is all or nothing per batch.
 */
final class ApplyBatches {
  /** At most this many resources per request: a few seconds of work for the control plane on a small machine. */
  static final int MAX_RESOURCES = 500;
  /** At most this much JSON per request, well under the control plane's 4 MiB request limit. */
  static final int MAX_BYTES = 1024 * 1024;

  private ApplyBatches() {}

  static List<List<Resource<?>>> split(List<Resource<?>> resources, int maxResources, int maxBytes) {
    List<List<Resource<?>>> batches = new ArrayList<>();
    List<Resource<?>> batch = new ArrayList<>();
    long bytes = 0;
    for (Resource<?> r : resources) {
      int size = ResourceWriter.toJsonNode(r).toString().getBytes(StandardCharsets.UTF_8).length + 1;
      if (!batch.isEmpty() && (batch.size() >= maxResources || bytes + size > maxBytes)) {
        batches.add(batch);
        batch = new ArrayList<>();
        bytes = 0;
      }
      batch.add(r);
      bytes += size;
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    return batches;
  }
}
