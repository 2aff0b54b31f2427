package io.meshwork.cli;

import io.meshwork.model.Kind;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import io.meshwork.proxy.discovery.ControlPlaneException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meshwork delete KIND NAME}: removes one resource from the control plane. */
@Command(
    name = "delete",
    description = "Deletes one resource from the control plane; sidecars drop it at once.",
    sortOptions = false,
    mixinStandardHelpOptions = true)
final class DeleteCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "KIND", description = "The kind, e.g. vs, dr, se, we.")
  String kindName;

  @Parameters(index = "1", paramLabel = "NAME", description = "The resource's name.")
  String name;

  @Option(names = {"-n", "--namespace"}, defaultValue = "default", paramLabel = "NS",
      description = "The namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Mixin ControlPlaneOptions controlPlane;

  @Mixin AdminCredentialOptions admin;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Kind kind = GetCommand.resolveKind(kindName);
    try (ControlPlaneClient client = controlPlane.client(admin.credential())) {
      if (!client.delete(kind, namespace, name)) {
        throw new UserError(GetCommand.notFound(kind, namespace, name));
      }
    } catch (ControlPlaneException e) {
      throw controlPlane.explain(e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(GetCommand.label(kind, name) + " deleted");
    out.flush();
    return ExitCode.OK;
  }
}
