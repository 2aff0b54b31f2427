package io.meshwork.proxy.config;

import io.meshwork.model.Diagnostic;
import java.util.List;
import java.util.stream.Collectors;

/** Start-up configuration that cannot be applied; the message lists every diagnostic, one per line. */
public final class ConfigException extends RuntimeException {
  private final List<Diagnostic> diagnostics;

  public ConfigException(String summary, List<Diagnostic> diagnostics) {
    super(summary + diagnostics.stream().map(d -> "\n  " + d.format()).collect(Collectors.joining()));
    this.diagnostics = List.copyOf(diagnostics);
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }
}
