package io.meshwork.model;

import java.util.List;
import java.util.Map;

/**
 * The resources of a configuration source and what was found wrong with it. A source applies as a
 * whole: when any error exists, {@code resources} is empty.
 *
 * @param lines the line each resource's document starts on in the source, by {@link Resource#key()}; empty for
 *     results built without a source
 */
public record ParseResult(List<Resource<?>> resources, List<Diagnostic> diagnostics, Map<String, Integer> lines) {
  public ParseResult {
    diagnostics = List.copyOf(diagnostics);
    boolean rejected = diagnostics.stream().anyMatch(Diagnostic::isError);
    resources = rejected ? List.of() : List.copyOf(resources);
    lines = rejected ? Map.of() : Map.copyOf(lines);
  }

  public ParseResult(List<Resource<?>> resources, List<Diagnostic> diagnostics) {
    this(resources, diagnostics, Map.of());
  }

  /** The line {@code resource}'s document starts on, or 0 when unknown. */
  public int lineOf(Resource<?> resource) {
    return lines.getOrDefault(resource.key(), 0);
  }

  public boolean hasErrors() {
    return diagnostics.stream().anyMatch(Diagnostic::isError);
  }

  public List<Diagnostic> errors() {
    return diagnostics.stream().filter(Diagnostic::isError).toList();
  }

  /** Warnings and notices: what does not reject the source. */
  public List<Diagnostic> warnings() {
    return diagnostics.stream().filter(d -> !d.isError()).toList();
  }

  /** Every diagnostic formatted, one a line. */
  public String report() {
    return String.join("\n", diagnostics.stream().map(Diagnostic::format).toList());
  }
}
