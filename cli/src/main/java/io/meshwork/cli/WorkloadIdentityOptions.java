package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * How a sidecar proves who it is to the control plane (a picocli mixin): a join token scoped to its
 * service, and the CA bundle that verifies the control plane. On the control plane's own machine the
 * admin credential in its data dir can mint the token, so local development needs no extra step.
 */
final class WorkloadIdentityOptions {
  static final String TOKEN_ENV = "MESHWORK_TOKEN";

  @Option(names = "--token", defaultValue = "${env:" + TOKEN_ENV + "}", paramLabel = "TOKEN",
      description = "Join token from 'meshwork token create' (env " + TOKEN_ENV + "). Without one, a token is"
          + " minted with the local admin credential when there is one.")
  String token;

  @Option(names = "--ca-file", defaultValue = "${env:" + AdminCredential.CA_FILE_ENV + "}", paramLabel = "FILE",
      description = "PEM bundle of the mesh's roots (env " + AdminCredential.CA_FILE_ENV + "): with a control plane it"
          + " verifies the control plane (default: ca.pem in its data dir); for 'meshwork sidecar --config ... --cert-file'"
          + " it is the trust bundle peers' certificates must chain to.")
  Path caFile;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "A local control plane's data dir, for its ca.pem and admin token (default: "
          + ".meshwork/control-plane).")
  Path dataDir;

  /** A client for {@code url} acting as the workload {@code service} in {@code namespace}. */
  ControlPlaneClient client(URI url, String service, String namespace, PrintWriter err) {
    SSLContext tls = null;
    if ("https".equals(url.getScheme())) {
      Path bundle = caFile != null ? caFile : dataDirOrDefault().resolve(AdminCredential.CA_FILE);
      if (!Files.isReadable(bundle)) {
        throw new UserError("--ca-file: " + bundle + " is not readable (expected: the control plane's ca.pem, from"
            + " its data dir or " + AdminCredential.CA_FILE_ENV + ")");
      }
      tls = ControlPlaneAuth.trusting(bundle);
    }
    String joinToken = token != null && !token.isBlank() ? token.strip() : mintLocally(url, service, namespace, err);
    return new ControlPlaneClient(url, new ControlPlaneAuth(joinToken, tls));
  }

  private String mintLocally(URI url, String service, String namespace, PrintWriter err) {
    AdminCredential admin;
    try {
      admin = AdminCredential.find(System::getenv, dataDir);
    } catch (UserError e) {
      throw new UserError("--token: missing (expected: a join token from 'meshwork token create --service "
          + service + "', or " + TOKEN_ENV + "; no local admin credential to mint one: " + e.getMessage() + ")",
          ExitCode.USAGE);
    }
    JsonNode answer = TokenCommand.Create.post(url, admin, new ObjectMapper().createObjectNode()
        .put("service", service).put("namespace", namespace));
    err.printf("using a join token for %s, minted with the admin credential from %s%n",
        answer.path("identity").asText(), admin.tokenSource());
    err.flush();
    return answer.path("token").asText();
  }

  private Path dataDirOrDefault() {
    return dataDir != null ? dataDir : AdminCredential.DEFAULT_DATA_DIR;
  }
}
