package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.codec.DurationFormat;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.StreamSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meshwork token}: join tokens, the proof a sidecar shows the CA before it gets a certificate. */
@Command(
    name = "token",
    description = {
      "Manages join tokens: a sidecar presents one (--token or MESHWORK_TOKEN) to get its certificate.",
      "Tokens live at most the control plane's --max-token-ttl (30 days by default) and can be listed and revoked."
    },
    subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class,
        TokenCommand.RotateAdmin.class, CommandLine.HelpCommand.class},
    mixinStandardHelpOptions = true)
final class TokenCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  /** {@code meshwork token create --service NAME [--namespace NS] [--ttl DURATION]}. */
  @Command(
      name = "create",
      description = {
        "Creates a join token for one identity, spiffe://<trust-domain>/ns/NS/sa/NAME, and prints it on stdout.",
        "Needs the admin token: from MESHWORK_ADMIN_TOKEN or the control plane's --data-dir."
      },
      sortOptions = false,
      mixinStandardHelpOptions = true)
  static final class Create implements Callable<Integer> {
    static final String PATH = "/apis/meshwork.io/v1alpha1/tokens";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--service", required = true, paramLabel = "NAME",
        description = "The service (and service account) the token is for.")
    String service;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", paramLabel = "NS",
        description = "The service's namespace (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--ttl", paramLabel = "DURATION",
        description = "How long the token can be used, e.g. 30m or 24h (default: 24h; at most the control plane's"
            + " --max-token-ttl, 720h unless set).")
    String ttl;

    @Mixin ControlPlaneOptions controlPlane;

    @Mixin AdminCredentialOptions admin;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      ObjectNode body = JSON.createObjectNode().put("service", service).put("namespace", namespace);
      if (ttl != null) {
        Duration parsed = DurationFormat.parse(ttl).orElseThrow(() -> new UserError(
            "--ttl: " + ttl + " (expected: " + DurationFormat.EXPECTED + ")", ExitCode.USAGE));
        body.put("ttl", DurationFormat.format(parsed));
      }
      URI base = controlPlane.url();
      AdminCredential credential = admin.credential();
      JsonNode answer = post(base, credential, body);
      spec.commandLine().getOut().println(answer.path("token").asText());
      spec.commandLine().getOut().flush();
      spec.commandLine().getErr().printf("token for %s, valid until %s%n", answer.path("identity").asText(),
          answer.path("expiresAt").asText());
      spec.commandLine().getErr().flush();
      return ExitCode.OK;
    }

    /** Creates a token; also used by the commands that mint one with the local admin credential. */
    static JsonNode post(URI base, AdminCredential credential, ObjectNode body) {
      return new AdminApi(base, credential).call("POST", "/tokens", body);
    }
  }

  /** {@code meshwork token list}. */
  @Command(
      name = "list",
      description = {
        "Lists the join tokens the control plane remembers: id, identity, times and status, never the token.",
        "Expired tokens stay listed for a day. Needs the admin token."
      },
      mixinStandardHelpOptions = true)
  static final class ListTokens implements Callable<Integer> {
    @Mixin ControlPlaneOptions controlPlane;

    @Mixin AdminCredentialOptions admin;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      JsonNode items = new AdminApi(controlPlane.url(), admin.credential()).call("GET", "/tokens", null)
          .path("items");
      PrintWriter out = spec.commandLine().getOut();
      if (items.isEmpty()) {
        spec.commandLine().getErr().println("no join tokens");
        spec.commandLine().getErr().flush();
        return ExitCode.OK;
      }
      TextTable table = new TextTable("ID", "SERVICE", "NAMESPACE", "CREATED", "EXPIRES", "STATUS");
      for (JsonNode t : items) {
        String status = t.path("status").asText();
        if (t.has("revokedAt")) {
          status += " " + time(t.path("revokedAt").asText());
        }
        table.row(t.path("id").asText(), t.path("service").asText(), t.path("namespace").asText(),
            time(t.path("createdAt").asText()), time(t.path("expiresAt").asText()), status);
      }
      out.print(table);
      out.flush();
      return ExitCode.OK;
    }
  }

  /** {@code meshwork token revoke ID}. */
  @Command(
      name = "revoke",
      description = {
        "Revokes a join token: from now on it enrols nobody. ID is the id 'meshwork token list' shows, or a unique",
        "prefix of it (at least 6 characters). A certificate the token already got keeps renewing until you also",
        "run 'meshwork identity revoke' for its identity. Needs the admin token."
      },
      mixinStandardHelpOptions = true)
  static final class Revoke implements Callable<Integer> {
    static final int MIN_PREFIX = 6;

    @Parameters(paramLabel = "ID", description = "The token's id, or a unique prefix of it.")
    String id;

    @Mixin ControlPlaneOptions controlPlane;

    @Mixin AdminCredentialOptions admin;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      String wanted = id.strip().toLowerCase(Locale.ROOT);
      if (wanted.length() < MIN_PREFIX || !wanted.matches("[0-9a-f]+")) {
        throw new UserError("ID: " + id + " (expected: a token id from 'meshwork token list', or at least "
            + MIN_PREFIX + " of its first hex digits)", ExitCode.USAGE);
      }
      AdminApi api = new AdminApi(controlPlane.url(), admin.credential());
      List<String> matches = StreamSupport.stream(api.call("GET", "/tokens", null).path("items").spliterator(),
          false).map(t -> t.path("id").asText()).filter(i -> i.startsWith(wanted)).toList();
      if (matches.isEmpty()) {
        throw new UserError("token " + wanted + ": no such token (see 'meshwork token list')");
      }
      if (matches.size() > 1) {
        throw new UserError("token " + wanted + ": matches " + matches.size() + " tokens (" + String.join(", ",
            matches) + "); give more of the id");
      }
      JsonNode revoked = api.call("DELETE", "/tokens/" + matches.get(0), null);
      spec.commandLine().getOut().printf("revoked token %s for %s%n", revoked.path("id").asText(),
          revoked.path("identity").asText());
      spec.commandLine().getOut().flush();
      return ExitCode.OK;
    }
  }

  /** {@code meshwork token rotate-admin}. */
  @Command(
      name = "rotate-admin",
      description = {
        "Replaces the admin token. The control plane writes the new one to admin-token in its data directory",
        "(owner-only) and prints it here on stdout; the old one stops working at once. Needs the admin token."
      },
      mixinStandardHelpOptions = true)
  static final class RotateAdmin implements Callable<Integer> {
    @Mixin ControlPlaneOptions controlPlane;

    @Mixin AdminCredentialOptions admin;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      AdminCredential credential = admin.credential();
      JsonNode answer = new AdminApi(controlPlane.url(), credential).call("POST", "/admintoken/rotate", null);
      spec.commandLine().getOut().println(answer.path("token").asText());
      spec.commandLine().getOut().flush();
      spec.commandLine().getErr().println("rotated the admin token: the control plane wrote the new one to"
          + " admin-token in its data directory; the previous one no longer works"
          + (AdminCredential.TOKEN_ENV.equals(credential.tokenSource())
              ? " (update " + AdminCredential.TOKEN_ENV + ")" : ""));
      spec.commandLine().getErr().flush();
      return ExitCode.OK;
    }
  }

  /** An RFC 3339 time to the second, as the table shows it. */
  static String time(String instant) {
    try {
      return Instant.parse(instant).truncatedTo(ChronoUnit.SECONDS).toString();
    } catch (java.time.format.DateTimeParseException e) {
      return instant;
    }
  }
}
