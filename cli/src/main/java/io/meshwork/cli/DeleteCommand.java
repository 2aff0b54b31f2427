package io.meshwork.cli;

import io.meshwork.model.Diagnostic;
import io.meshwork.model.Kind;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ParseOptions;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import io.meshwork.proxy.discovery.ControlPlaneException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meshwork delete (KIND NAME | -f FILE|DIR)}: removes resources from the control plane. */
@Command(
    name = "delete",
    description = {
      "Deletes resources from the control plane; sidecars drop them at once.",
      "Name one resource as KIND NAME, or give the files it was applied from with -f: every resource they define is"
          + " deleted (the files are checked first; one error and nothing is deleted)."
    },
    sortOptions = false,
    mixinStandardHelpOptions = true)
final class DeleteCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "KIND", description = "The kind, e.g. vs, dr, se, we.")
  String kindName;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "The resource's name.")
  String name;

  @Option(names = {"-f", "--filename"}, paramLabel = "FILE|DIR",
      description = "Delete what these files define: a file, a folder of *.yaml/*.yml/*.json files, or - for"
          + " standard input. Repeatable.")
  List<String> files = new ArrayList<>();

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
      description = "The namespace of KIND NAME, and of resources in -f files whose metadata names none"
          + " (default: default).")
  String namespace;

  @Option(names = "--ignore-not-found",
      description = "A resource that does not exist is no error.")
  boolean ignoreNotFound;

  @Mixin ControlPlaneOptions controlPlane;

  @Mixin AdminCredentialOptions admin;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (files.isEmpty() == (kindName == null)) {
      throw new UserError(files.isEmpty()
          ? "KIND NAME: missing (expected: a kind and a name, e.g. 'delete vs reviews', or -f FILE)"
          : "KIND: " + kindName + " cannot be combined with -f (expected: KIND NAME or -f FILE)", ExitCode.USAGE);
    }
    if (kindName != null && name == null) {
      throw new UserError("NAME: missing (expected: the name of the " + kindName + " to delete)", ExitCode.USAGE);
    }
    return files.isEmpty() ? deleteOne() : deleteFiles();
  }

  private int deleteOne() {
    Kind kind = GetCommand.resolveKind(kindName);
    String ns = namespace == null ? "default" : namespace;
    try (ControlPlaneClient client = controlPlane.client(admin.credential())) {
      if (!client.delete(kind, ns, name)) {
        if (ignoreNotFound) {
          return ExitCode.OK;
        }
        throw new UserError(GetCommand.notFound(kind, ns, name));
      }
    } catch (ControlPlaneException e) {
      throw controlPlane.explain(e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(GetCommand.label(kind, name) + " deleted");
    out.flush();
    return ExitCode.OK;
  }

  private int deleteFiles() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ResourceFiles.Read read = ResourceFiles.read(files, ParseOptions.DEFAULTS.withDefaultNamespace(namespace),
        System.in);
    List<Diagnostic> errors = read.errors();
    if (!errors.isEmpty()) {
      errors.forEach(e -> err.println(e.format()));
      err.flush();
      throw new UserError(errors.size() + (errors.size() == 1 ? " error" : " errors") + "; nothing was deleted");
    }
    if (read.resources().isEmpty()) {
      throw new UserError("no resources in " + String.join(", ", files) + "; nothing was deleted");
    }
    List<String> missing = new ArrayList<>();
    int deleted = 0;
    try (ControlPlaneClient client = controlPlane.client(admin.credential())) {
      for (Resource<?> r : read.resources()) {
        try {
          if (client.delete(r.kind(), r.namespace(), r.name())) {
            out.println(GetCommand.label(r.kind(), r.name()) + " deleted");
            deleted++;
          } else {
            missing.add(GetCommand.notFound(r.kind(), r.namespace(), r.name()));
          }
        } catch (ControlPlaneException e) {
          UserError explained = controlPlane.explain(e);
          throw deleted == 0 ? explained : new UserError(explained.getMessage() + " (" + deleted
              + " resources were deleted before; running the same delete again finishes the rest)", e);
        }
        out.flush();
      }
    }
    if (!missing.isEmpty() && !ignoreNotFound) {
      missing.forEach(m -> err.println("meshwork: " + m));
      err.flush();
      throw new UserError(missing.size() + " of " + read.resources().size()
          + " resources were not found (--ignore-not-found to accept that)");
    }
    return ExitCode.OK;
  }
}
