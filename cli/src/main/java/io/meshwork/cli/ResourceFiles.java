package io.meshwork.cli;

import io.meshwork.model.Diagnostic;
import io.meshwork.model.DirectoryResult;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ParseOptions;
import io.meshwork.model.codec.ResourceParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code -f} sources of {@code apply} and {@code delete}: files, folders and standard input, read and checked
 * as a whole before anything is sent. A resource defined twice, in two files or two {@code -f} arguments, is an error
 * naming both places.
 */
final class ResourceFiles {
  static final String STDIN = "-";
  static final String STDIN_NAME = "<stdin>";

  /** Everything read: the resources in source order, and what the parser found. */
  record Read(List<Resource<?>> resources, List<Diagnostic> warnings, List<Diagnostic> errors) {}

  private ResourceFiles() {}

  static Read read(List<String> arguments, ParseOptions options, InputStream stdin) {
    List<Resource<?>> resources = new ArrayList<>();
    List<Diagnostic> warnings = new ArrayList<>();
    List<Diagnostic> errors = new ArrayList<>();
    Map<String, String> firstSeen = new HashMap<>();
    for (String argument : arguments) {
      for (Map.Entry<String, ParseResult> source : parse(argument, options, stdin).entrySet()) {
        ParseResult result = source.getValue();
        warnings.addAll(result.warnings());
        errors.addAll(result.errors());
        for (Resource<?> r : result.resources()) {
          int line = result.lineOf(r);
          String here = source.getKey() + (line > 0 ? ":" + line : "");
          String earlier = firstSeen.putIfAbsent(r.key(), here);
          if (earlier != null) {
            errors.add(ResourceParser.duplicate(source.getKey(), line, r, earlier));
          } else {
            resources.add(r);
          }
        }
      }
    }
    return new Read(resources, warnings, errors);
  }

  /** One argument's sources by name, in order; a folder gives one per file. */
  private static Map<String, ParseResult> parse(String argument, ParseOptions options, InputStream stdin) {
    Map<String, ParseResult> sources = new java.util.LinkedHashMap<>();
    if (argument.equals(STDIN)) {
      try {
        sources.put(STDIN_NAME, ResourceParser.parse(STDIN_NAME, stdin.readAllBytes(), options));
      } catch (IOException e) {
        throw new UserError("-f -: cannot read standard input (" + ResourceParser.syntaxMessage(e) + ")");
      }
      return sources;
    }
    Path path = Path.of(argument);
    if (Files.isDirectory(path)) {
      DirectoryResult dir = ResourceParser.parseDirectory(path, options);
      if (dir.files().isEmpty()) {
        throw new UserError("-f: " + argument + " has no .yaml, .yml or .json files");
      }
      dir.files().forEach((file, result) -> sources.put(file.toString(), result));
      return sources;
    }
    if (!Files.exists(path)) {
      throw new UserError("-f: " + argument + " does not exist (expected: a file, a folder, or - for standard input)");
    }
    sources.put(argument, ResourceParser.parse(path, options));
    return sources;
  }
}
