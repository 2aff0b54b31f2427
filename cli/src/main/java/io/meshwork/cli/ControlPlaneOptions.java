package io.meshwork.cli;

import io.meshwork.proxy.discovery.ControlPlaneAuth;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import io.meshwork.proxy.discovery.ControlPlaneException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --control-plane URL} for the commands that talk to a control plane (a picocli mixin). */
public final class ControlPlaneOptions {
  public static final String ENV = "MESHWORK_CONTROL_PLANE";
  public static final String DEFAULT_URL = "https://127.0.0.1:15010";
  /**
   * The CLI connects once per command, to a control plane that may have just started: its first TLS handshakes are
   * slow on a busy machine, and the JDK's connect timeout includes the handshake. A sidecar's shorter default suits
   * its retries; a command has none.
   */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

  @Option(names = "--control-plane", paramLabel = "URL",
      defaultValue = "${env:" + ENV + ":-" + DEFAULT_URL + "}",
      description = "The control plane's API (env " + ENV + "; default: " + DEFAULT_URL + ").")
  String url;

  /** The control plane's URL, validated. */
  public URI url() {
    URI uri;
    try {
      uri = new URI(url == null ? DEFAULT_URL : url.strip());
    } catch (URISyntaxException e) {
      throw invalid();
    }
    if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
      throw invalid();
    }
    return uri;
  }

  /** A client acting as the admin (reads and writes); the caller closes it. */
  public ControlPlaneClient client(AdminCredential admin) {
    return client(admin, ControlPlaneClient.DEFAULT_REQUEST_TIMEOUT);
  }

  /** As {@link #client(AdminCredential)}, waiting up to {@code requestTimeout} for each answer. */
  public ControlPlaneClient client(AdminCredential admin, Duration requestTimeout) {
    URI uri = url();
    return new ControlPlaneClient(uri, new ControlPlaneAuth(admin.token(),
        "https".equals(uri.getScheme()) ? admin.sslContext() : null), CONNECT_TIMEOUT, requestTimeout);
  }

  /** The one line a user sees for a failed call. */
  public UserError explain(ControlPlaneException e) {
    if (e.tlsFailure()) {
      return new UserError(e.getMessage() + " (trust its ca.pem with --data-dir or " + AdminCredential.CA_FILE_ENV
          + ")", e);
    }
    if (e.timedOut()) {
      // It connected: saying "cannot reach" would send the user looking for a problem that is not there.
      return new UserError(e.getMessage() + "; the request may still complete", e);
    }
    if (e.unreachable()) {
      // Only a refused connection means nobody listens there; a reset or a closed connection needs its reason.
      boolean refused = e.getCause() instanceof java.net.ConnectException;
      return new UserError(e.getMessage() + (refused ? " (start one with 'meshwork control-plane')" : ""), e);
    }
    return new UserError(e.describe(), e);
  }

  private UserError invalid() {
    return new UserError("--control-plane: " + url + " (expected: a URL such as " + DEFAULT_URL + ")",
        ExitCode.USAGE);
  }
}
