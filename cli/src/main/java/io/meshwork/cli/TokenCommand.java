package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.codec.DurationFormat;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLHandshakeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meshwork token}: join tokens, the proof a sidecar shows the CA before it gets a certificate. */
@Command(
    name = "token",
    description = "Manages join tokens: a sidecar presents one (--token or MESHWORK_TOKEN) to get its certificate.",
    subcommands = {TokenCommand.Create.class, CommandLine.HelpCommand.class},
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
        description = "How long the token can be used, e.g. 30m or 24h (default: the control plane's, 24h).")
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

    static JsonNode post(URI base, AdminCredential credential, ObjectNode body) {
      HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5));
      if ("https".equals(base.getScheme())) {
        builder.sslContext(credential.sslContext());
      }
      HttpRequest request = credential.authorize(HttpRequest.newBuilder(base.resolve(PATH)))
          .timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
          .build();
      try (HttpClient http = builder.build()) {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isBlank() ? JSON.missingNode() : JSON.readTree(response.body());
        return switch (response.statusCode()) {
          case 201, 200 -> json;
          case 401, 403 -> throw new UserError("the control plane refused the admin token from "
              + credential.tokenSource() + ": " + json.path("message").asText(response.body()));
          default -> throw new UserError("the control plane answered " + response.statusCode() + ": "
              + json.path("message").asText(response.body()));
        };
      } catch (SSLHandshakeException e) {
        throw new UserError("cannot verify the control plane at " + base + " (" + e.getMessage() + "); set "
            + AdminCredential.CA_FILE_ENV + " or --data-dir so its ca.pem is trusted", e);
      } catch (ConnectException | HttpConnectTimeoutException e) {
        throw new UserError("cannot reach the control plane at " + base
            + " (start one with 'meshwork control-plane')", e);
      } catch (IOException e) {
        throw new UserError("talking to the control plane at " + base + " failed (" + e.getMessage() + ")", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UserError("interrupted", e);
      }
    }
  }
}
