package io.meshwork.model.codec;

import io.meshwork.model.ObjectMeta;
import io.meshwork.model.Resource;
import io.meshwork.model.validation.Violation;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a source is read beyond the model's own rules.
 *
 * @param defaultNamespace the namespace of documents whose metadata names none ({@code apply -n NS})
 * @param review extra findings about each valid resource, located by the parser like its own: the CLI passes the
 *     proxy's list of fields that are accepted but not enforced, as {@link Violation#notice notices}
 */
public record ParseOptions(String defaultNamespace, Function<Resource<?>, List<Violation>> review) {
  public static final ParseOptions DEFAULTS = new ParseOptions(ObjectMeta.DEFAULT_NAMESPACE, r -> List.of());

  public ParseOptions {
    defaultNamespace = defaultNamespace == null || defaultNamespace.isEmpty()
        ? ObjectMeta.DEFAULT_NAMESPACE : defaultNamespace;
    Objects.requireNonNull(review, "review");
  }

  public ParseOptions withDefaultNamespace(String namespace) {
    return new ParseOptions(namespace, review);
  }

  public ParseOptions withReview(Function<Resource<?>, List<Violation>> review) {
    return new ParseOptions(defaultNamespace, review);
  }
}
