package io.meshwork.cli;

import io.meshwork.model.Diagnostic;
import io.meshwork.model.DirectoryResult;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.discovery.BatchApplied;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import io.meshwork.proxy.discovery.ControlPlaneException;
import io.meshwork.proxy.discovery.ObjectKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meshwork apply -f FILE|DIR}: stores resources in the control plane, all or nothing.
 *
 * <p>Every source is parsed and validated here first, so that an error anywhere is reported with its file, line and
 * field and nothing is sent. Then all resources of all sources go to the control plane's apply endpoint together,
 * which writes them in one store transaction: every sidecar sees the whole change at one revision, or none of it.
 */
@Command(
    name = "apply",
    description = {
      "Creates or updates resources from YAML or JSON files, like 'kubectl apply'.",
      "All files are checked first; one error anywhere and nothing is applied."
    },
    sortOptions = false,
    mixinStandardHelpOptions = true)
final class ApplyCommand implements Callable<Integer> {

  /** A parsed source; {@code name} is what diagnostics call it. */
  private record Source(String name, List<ParseResult> results) {}

  static final String STDIN = "-";

  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE|DIR",
      description = "A file, a directory of *.yaml/*.yml/*.json files, or - for standard input. Repeatable.")
  List<String> files = new ArrayList<>();

  @Mixin ControlPlaneOptions controlPlane;

  @Mixin AdminCredentialOptions admin;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Resource<?>> resources = parseAll(err);
    BatchApplied applied;
    try (ControlPlaneClient client = controlPlane.client(admin.credential())) {
      applied = client.applyAll(resources);
    } catch (ControlPlaneException e) {
      throw controlPlane.explain(e);
    }
    // The parser already warned about these documents; the server's warnings would repeat the same findings.
    for (BatchApplied.Item item : applied.items()) {
      out.println(GetCommand.label(GetCommand.resolveKind(item.kind()), item.name()) + " "
          + item.action().name().toLowerCase(Locale.ROOT));
    }
    out.flush();
    return ExitCode.OK;
  }

  /** Reads every source; prints all diagnostics and fails, applying nothing, if any is an error. */
  private List<Resource<?>> parseAll(PrintWriter err) {
    List<Source> sources = new ArrayList<>();
    for (String f : files) {
      sources.add(read(f));
    }
    List<Diagnostic> errors = new ArrayList<>();
    List<Resource<?>> resources = new ArrayList<>();
    Map<ObjectKey, String> seen = new HashMap<>();
    for (Source source : sources) {
      for (ParseResult result : source.results()) {
        result.warnings().forEach(w -> err.println(w.format()));
        errors.addAll(result.errors());
        for (Resource<?> r : result.resources()) {
          String earlier = seen.putIfAbsent(ObjectKey.of(r), source.name());
          if (earlier != null) {
            errors.add(Diagnostic.error(source.name(), 0, 0, "metadata.name", r.name() + " (expected: each "
                + r.kind().kindName() + " once per apply; " + ObjectKey.of(r) + " is also in " + earlier + ")"));
          } else {
            resources.add(r);
          }
        }
      }
    }
    if (!errors.isEmpty()) {
      errors.forEach(e -> err.println(e.format()));
      err.flush();
      throw new UserError(errors.size() + (errors.size() == 1 ? " error" : " errors")
          + "; nothing was applied");
    }
    if (resources.isEmpty()) {
      throw new UserError("no resources in " + String.join(", ", files) + "; nothing was applied");
    }
    return resources;
  }

  private Source read(String f) {
    if (f.equals(STDIN)) {
      try {
        return new Source("<stdin>", List.of(ResourceParser.parse("<stdin>",
            new String(System.in.readAllBytes(), StandardCharsets.UTF_8))));
      } catch (IOException e) {
        throw new UserError("-f -: cannot read standard input (" + e.getMessage() + ")");
      }
    }
    Path path = Path.of(f);
    if (Files.isDirectory(path)) {
      DirectoryResult dir = ResourceParser.parseDirectory(path);
      if (dir.files().isEmpty()) {
        throw new UserError("-f: " + f + " has no .yaml, .yml or .json files");
      }
      return new Source(f, List.copyOf(dir.files().values()));
    }
    if (!Files.exists(path)) {
      throw new UserError("-f: " + f + " does not exist (expected: a file, a directory, or - for standard input)");
    }
    return new Source(f, List.of(ResourceParser.parse(path)));
  }
}
