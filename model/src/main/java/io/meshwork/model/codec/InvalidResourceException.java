package io.meshwork.model.codec;

import io.meshwork.model.Diagnostic;
import java.util.List;

/** A resource that cannot be accepted; carries every diagnostic, errors first. */
public final class InvalidResourceException extends IllegalArgumentException {
  private final transient List<Diagnostic> diagnostics;

  public InvalidResourceException(List<Diagnostic> diagnostics) {
    super(String.join("\n", diagnostics.stream().filter(Diagnostic::isError).map(Diagnostic::format).toList()));
    this.diagnostics = List.copyOf(diagnostics);
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }
}
