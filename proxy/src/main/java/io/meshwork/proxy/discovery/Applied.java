package io.meshwork.proxy.discovery;

import io.meshwork.model.Resource;
import java.util.List;

/**
 * The answer to a create-or-replace.
 *
 * @param resource the object as stored, with its new resourceVersion
 * @param created true when no object of that name existed before
 * @param warnings the server's admission warnings (ignored fields and the like)
 */
public record Applied(Resource<?> resource, boolean created, List<String> warnings) {
  public Applied {
    warnings = List.copyOf(warnings);
  }
}
