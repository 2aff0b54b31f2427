package io.meshwork.cli;

import io.meshwork.model.Diagnostic;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.DurationFormat;
import io.meshwork.model.codec.ParseOptions;
import io.meshwork.proxy.config.UnenforcedFields;
import io.meshwork.proxy.discovery.BatchApplied;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import io.meshwork.proxy.discovery.ControlPlaneException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meshwork apply -f FILE|DIR [-n NS] [--dry-run]}: stores resources in the control plane.
 *
 * <p>Every source is parsed and validated here first, so that an error anywhere is reported with its file, line and
 * field and nothing is sent. Then the resources go to the control plane's apply endpoint, which writes each request
 * in one store transaction: every sidecar sees the whole request's change at one revision, or none of it. Up to
 * {@value ApplyBatches#MAX_RESOURCES} resources (and 1 MiB) go in one request, so an ordinary apply is all or nothing;
 * a larger one is sent in batches, each all or nothing, with progress on standard error.
 */
@Command(
    name = "apply",
    description = {
      "Creates or updates resources from YAML or JSON files, like 'kubectl apply'.",
      "All files are checked first; one error anywhere and nothing is applied. Up to 500 resources are applied"
          + " all at once; a larger apply goes in batches of 500, each applied all at once, with progress shown."
          + " Fields that are accepted but not enforced yet are listed as notices."
    },
    sortOptions = false,
    mixinStandardHelpOptions = true)
final class ApplyCommand implements Callable<Integer> {

  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE|DIR",
      description = "A file, a folder of *.yaml/*.yml/*.json files, or - for standard input. Repeatable.")
  List<String> files = new ArrayList<>();

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
      description = "The namespace of resources whose metadata names none (default: default).")
  String namespace;

  @Option(names = "--dry-run",
      description = "Check everything with the control plane and print what would be created, configured or left"
          + " unchanged, without changing anything.")
  boolean dryRun;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
      description = "How long to wait for the control plane to answer each request (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Mixin ControlPlaneOptions controlPlane;

  @Mixin AdminCredentialOptions admin;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration wait = DurationFormat.parse(timeout).filter(d -> !d.isZero() && !d.isNegative())
        .orElseThrow(() -> new UserError("--timeout: " + timeout + " (expected: " + DurationFormat.EXPECTED + ")",
            ExitCode.USAGE));
    List<Resource<?>> resources = readAll(err);
    List<List<Resource<?>>> batches = ApplyBatches.split(resources, ApplyBatches.MAX_RESOURCES,
        ApplyBatches.MAX_BYTES);
    String suffix = dryRun ? " (dry run)" : "";
    int done = 0;
    try (ControlPlaneClient client = controlPlane.client(admin.credential(), wait)) {
      for (int i = 0; i < batches.size(); i++) {
        List<Resource<?>> batch = batches.get(i);
        BatchApplied applied;
        try {
          applied = client.applyAll(batch, dryRun);
        } catch (ControlPlaneException e) {
          throw failed(e, batch, done, resources.size(), i, batches.size());
        }
        // The parser already warned about these documents; the server's warnings would repeat the same findings.
        for (BatchApplied.Item item : applied.items()) {
          out.println(GetCommand.label(GetCommand.resolveKind(item.kind()), item.name()) + " "
              + item.action().name().toLowerCase(Locale.ROOT) + suffix);
        }
        out.flush();
        done += batch.size();
        if (batches.size() > 1) {
          err.println((dryRun ? "checked " : "applied ") + done + " of " + resources.size() + " resources (batch "
              + (i + 1) + " of " + batches.size() + ")");
          err.flush();
        }
      }
    }
    return ExitCode.OK;
  }

  /** Reads every source; prints all diagnostics and fails, applying nothing, if any is an error. */
  private List<Resource<?>> readAll(PrintWriter err) {
    ParseOptions options = ParseOptions.DEFAULTS.withDefaultNamespace(namespace)
        .withReview(UnenforcedFields::review);
    ResourceFiles.Read read = ResourceFiles.read(files, options, System.in);
    read.warnings().forEach(w -> err.println(w.format()));
    List<Diagnostic> errors = read.errors();
    if (!errors.isEmpty()) {
      errors.forEach(e -> err.println(e.format()));
      err.flush();
      throw new UserError(errors.size() + (errors.size() == 1 ? " error" : " errors") + "; nothing was applied");
    }
    err.flush();
    if (read.resources().isEmpty()) {
      throw new UserError("no resources in " + String.join(", ", files) + "; nothing was applied");
    }
    return read.resources();
  }

  /** The one line for a failed request, saying what was applied before it and what to do next. */
  private UserError failed(ControlPlaneException e, List<Resource<?>> batch, int done, int total, int index,
      int batches) {
    String before = done == 0 ? "" : "; the " + done + " resources of batches 1-" + index + " of " + batches
        + " were applied, and running the same apply again finishes the rest (unchanged resources are skipped)";
    if (e.timedOut()) {
      return new UserError(e.getMessage() + "; the apply may still complete — check with 'meshwork get "
          + kinds(batch) + "'" + before, e);
    }
    if (e.status() == 413) {
      return new UserError("the control plane refused a request of " + batch.size() + " resources as too large"
          + " (HTTP 413; the largest document may be over its 4 MiB limit)" + before, e);
    }
    UserError plain = controlPlane.explain(e);
    if (done == 0) {
      return plain;
    }
    return new UserError(plain.getMessage() + (batches > 1 ? " (batch " + (index + 1) + " of " + batches
        + " was not applied)" : "") + before, e);
  }

  private static String kinds(List<Resource<?>> batch) {
    Set<String> kinds = new LinkedHashSet<>();
    batch.forEach(r -> kinds.add(r.kind().shortName()));
    return String.join(",", kinds);
  }
}
