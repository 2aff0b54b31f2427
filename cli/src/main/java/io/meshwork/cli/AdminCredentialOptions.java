package io.meshwork.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data-dir} for commands that act as the admin: where the admin token and ca.pem are (a picocli mixin). */
public final class AdminCredentialOptions {

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "The control plane's data directory, holding admin-token and ca.pem (default: "
          + ".meshwork/control-plane; env " + AdminCredential.TOKEN_ENV + " and " + AdminCredential.CA_FILE_ENV
          + " take precedence).")
  Path dataDir;

  /** The credential from the environment or the data directory; a {@link UserError} when there is none. */
  public AdminCredential credential() {
    return AdminCredential.find(System::getenv, dataDir);
  }
}
