package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code meshwork identity}: revoking a workload identity's credentials. */
@Command(
    name = "identity",
    description = "Revokes workload identities: their earlier certificates and join tokens stop working.",
    subcommands = {IdentityCommand.Revoke.class, IdentityCommand.ListRevoked.class, CommandLine.HelpCommand.class},
    mixinStandardHelpOptions = true)
final class IdentityCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  /** {@code meshwork identity revoke SPIFFE_ID}. */
  @Command(
      name = "revoke",
      description = {
        "Revokes every credential of a workload identity issued until now: its certificates no longer renew or read",
        "the configuration (403) and its join tokens no longer enrol. Certificates already issued stay valid for",
        "mutual TLS until they expire (24h by default). Give the real workload a new join token afterwards.",
        "Needs the admin token."
      },
      mixinStandardHelpOptions = true)
  static final class Revoke implements Callable<Integer> {
    @Parameters(paramLabel = "SPIFFE_ID", description = "e.g. spiffe://cluster.local/ns/shop/sa/orders")
    String identity;

    @Mixin ControlPlaneOptions controlPlane;

    @Mixin AdminCredentialOptions admin;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      JsonNode answer = new AdminApi(controlPlane.url(), admin.credential()).call("POST", "/revokedidentities",
          new ObjectMapper().createObjectNode().put("identity", identity.strip()));
      spec.commandLine().getOut().printf("revoked %s: its certificates and join tokens issued before %s no longer"
          + " work%n", answer.path("identity").asText(), answer.path("revokedAt").asText());
      spec.commandLine().getOut().flush();
      return ExitCode.OK;
    }
  }

  /** {@code meshwork identity list-revoked}. */
  @Command(name = "list-revoked", description = "Lists the revoked identities and when. Needs the admin token.",
      mixinStandardHelpOptions = true)
  static final class ListRevoked implements Callable<Integer> {
    @Mixin ControlPlaneOptions controlPlane;

    @Mixin AdminCredentialOptions admin;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      JsonNode items = new AdminApi(controlPlane.url(), admin.credential()).call("GET", "/revokedidentities", null)
          .path("items");
      if (items.isEmpty()) {
        spec.commandLine().getErr().println("no revoked identities");
        spec.commandLine().getErr().flush();
        return ExitCode.OK;
      }
      TextTable table = new TextTable("IDENTITY", "REVOKED");
      items.forEach(i -> table.row(i.path("identity").asText(), i.path("revokedAt").asText()));
      PrintWriter out = spec.commandLine().getOut();
      out.print(table);
      out.flush();
      return ExitCode.OK;
    }
  }
}
