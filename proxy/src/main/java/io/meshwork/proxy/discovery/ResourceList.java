package io.meshwork.proxy.discovery;

import io.meshwork.model.Diagnostic;
import io.meshwork.model.Resource;
import java.util.List;

/**
 * Objects read at one store revision.
 *
 * @param items the objects this sidecar can read
 * @param revision the list's resourceVersion: a watch from it misses nothing and repeats nothing
 * @param skipped diagnostics for objects that could not be read (a kind or field newer than this build)
 */
public record ResourceList(List<Resource<?>> items, long revision, List<Diagnostic> skipped) {
  public ResourceList {
    items = List.copyOf(items);
    skipped = List.copyOf(skipped);
  }
}
