package io.meshwork.model;

import java.util.List;

/**
 * The resources of a configuration source and what was found wrong with it. A source applies as a
 * whole: when any error exists, {@code resources} is empty.
 */
public record ParseResult(List<Resource<?>> resources, List<Diagnostic> diagnostics) {
  public ParseResult {
    diagnostics = List.copyOf(diagnostics);
    resources = diagnostics.stream().anyMatch(Diagnostic::isError) ? List.of() : List.copyOf(resources);
  }

  public boolean hasErrors() {
    return diagnostics.stream().anyMatch(Diagnostic::isError);
  }

  public List<Diagnostic> errors() {
    return diagnostics.stream().filter(Diagnostic::isError).toList();
  }

  public List<Diagnostic> warnings() {
    return diagnostics.stream().filter(d -> !d.isError()).toList();
  }

  /** Every diagnostic formatted, one a line. */
  public String report() {
    return String.join("\n", diagnostics.stream().map(Diagnostic::format).toList());
  }
}
