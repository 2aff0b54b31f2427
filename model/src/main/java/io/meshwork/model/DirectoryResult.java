package io.meshwork.model;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The parse results of every configuration file of a directory, in file-name order. Each file applies
 * as a whole on its own: a file with errors contributes no resources, the others still do.
 */
public record DirectoryResult(SortedMap<Path, ParseResult> files) {
  public DirectoryResult {
    files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
  }

  /** The resources of the files without errors, in file order. */
  public List<Resource<?>> resources() {
    return files.values().stream().flatMap(r -> r.resources().stream()).toList();
  }

  public List<Diagnostic> diagnostics() {
    return files.values().stream().flatMap(r -> r.diagnostics().stream()).toList();
  }

  public boolean hasErrors() {
    return files.values().stream().anyMatch(ParseResult::hasErrors);
  }

  public List<Diagnostic> errors() {
    return files.values().stream().flatMap(r -> r.errors().stream()).toList();
  }

  public List<Diagnostic> warnings() {
    return files.values().stream().flatMap(r -> r.warnings().stream()).toList();
  }
}
