package io.meshwork.cli;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.control.DataDirectoryException;
import io.meshwork.control.store.StoreException;
import io.meshwork.model.codec.DurationFormat;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meshwork control-plane}: runs the control plane until interrupted. */
@Command(
    name = "control-plane",
    description = {
      "Runs the control plane: the resource store (one SQLite file in --data-dir), the API that",
      "'meshwork apply/get/delete' and sidecars talk to, and the workload registry.",
      "Stops cleanly on Ctrl-C or SIGTERM; a restart with the same --data-dir keeps everything."
    },
    sortOptions = false,
    mixinStandardHelpOptions = true)
final class ControlPlaneCommand implements Callable<Integer> {
  static final String DEFAULT_LISTEN = "127.0.0.1:" + ControlPlaneSettings.DEFAULT_PORT;

  @Option(names = "--data-dir", defaultValue = ".meshwork/control-plane", paramLabel = "DIR",
      description = {"Where the store, the CA's keys and the admin token live; created owner-only (0700) if missing,",
          "refused if other users can read or write it; one control plane per directory (default: ${DEFAULT-VALUE})."})
  Path dataDir;

  @Option(names = "--listen", defaultValue = DEFAULT_LISTEN, paramLabel = "HOST:PORT",
      description = "The API's address; port 0 picks a free one (default: ${DEFAULT-VALUE}).")
  String listen;

  @Option(names = "--trust-domain", defaultValue = "cluster.local", paramLabel = "DOMAIN",
      description = "The SPIFFE trust domain of the mesh's identities (default: ${DEFAULT-VALUE}).")
  String trustDomain;

  @Option(names = "--ca-cert", paramLabel = "FILE",
      description = "Use this root certificate (PEM) instead of generating one; needs --ca-key.")
  Path caCert;

  @Option(names = "--ca-key", paramLabel = "FILE", description = "The private key (PEM) of --ca-cert.")
  Path caKey;

  @Option(names = "--ca-key-passphrase-file", paramLabel = "FILE",
      defaultValue = "${env:MESHWORK_CA_KEY_PASSPHRASE_FILE}",
      description = {"Encrypt the CA's keys in the store with the passphrase in FILE (owner-only; env",
          "MESHWORK_CA_KEY_PASSPHRASE_FILE). Every later start needs the same passphrase."})
  Path caKeyPassphraseFile;

  @Option(names = "--max-token-ttl", defaultValue = "720h", paramLabel = "DURATION",
      description = "The longest lifetime a join token may be created with (default: ${DEFAULT-VALUE}, 30 days).")
  String maxTokenTtl;

  @Option(names = "--rate-limit-redis", paramLabel = "redis://HOST:PORT",
      description = "Keep the counters of GLOBAL rate limits in this Redis, so that several control-plane replicas"
          + " share one budget (default: in this control plane's memory).")
  String rateLimitRedis;

  @Option(names = "--insecure-plaintext",
      description = "Serve the API over plain HTTP instead of TLS; for development only (credentials still apply).")
  boolean plaintext;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final CountDownLatch stopRequested = new CountDownLatch(1);

  private static java.net.URI redisAddress(String value) {
    try {
      return new java.net.URI(value);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("rateLimitRedis: " + value + " (expected: redis://HOST:PORT)");
    }
  }

  @Override
  public Integer call() throws Exception {
    InetSocketAddress address = parseListen(listen);
    if ((caCert == null) != (caKey == null)) {
      throw new UserError((caCert == null ? "--ca-cert" : "--ca-key") + ": missing (expected: --ca-cert and --ca-key"
          + " together, or neither to generate a root)", ExitCode.USAGE);
    }
    Duration tokenTtl = DurationFormat.parse(maxTokenTtl).filter(d -> !d.isZero()).orElseThrow(() -> new UserError(
        "--max-token-ttl: " + maxTokenTtl + " (expected: a positive duration such as 720h or 24h)", ExitCode.USAGE));
    ControlPlaneSettings settings = new ControlPlaneSettings(dataDir, address).withTls(!plaintext)
        .withMaxTokenTtl(tokenTtl);
    try {
      settings = settings.withTrustDomain(trustDomain);
      if (caCert != null) {
        settings = settings.withCaFiles(caCert, caKey);
      }
      if (caKeyPassphraseFile != null) {
        settings = settings.withCaKeyPassphraseFile(caKeyPassphraseFile);
      }
      if (rateLimitRedis != null) {
        settings = settings.withRateLimitRedis(redisAddress(rateLimitRedis));
      }
    } catch (IllegalArgumentException e) {
      throw new UserError(OptionNames.of(e.getMessage()), ExitCode.USAGE);
    }
    ControlPlane plane;
    try {
      plane = ControlPlane.start(settings);
    } catch (DataDirectoryException e) {
      // The data dir is created owner-only by the control plane itself; this is a refusal with its fix.
      throw new UserError(e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      // A CA file or the passphrase: the message names the setting, shown as its option.
      throw new UserError(OptionNames.of(e.getMessage()), e);
    } catch (StoreException e) {
      throw new UserError("--data-dir: " + dataDir + " cannot hold the store (" + e.getMessage() + ")", e);
    } catch (IllegalStateException e) {
      // The API's bind failure says "listen: ..."; anything else is state in the data dir the control plane refused.
      throw new UserError(e.getMessage() != null && e.getMessage().startsWith("listen:")
          ? "--listen: cannot listen on " + listen + " (" + e.getMessage() + ")"
          : "cannot start on --data-dir " + dataDir + ": " + e.getMessage(), e);
    }
    CountDownLatch closed = new CountDownLatch(1);
    // The hook only asks for the stop and waits for it, so the JVM does not exit before the store is closed.
    Thread hook = new Thread(() -> {
      stopRequested.countDown();
      awaitQuietly(closed);
    }, "meshwork-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      PrintWriter out = spec.commandLine().getOut();
      Path data = dataDir.toAbsolutePath().normalize();
      out.printf("control plane listening on %s (data %s)%n", plane.url(), data);
      out.printf("  trust bundle  %s   (clients verify the API with it: MESHWORK_CA_FILE)%n", plane.trustBundleFile());
      out.printf("  admin token   %s   (for apply/delete and 'token create': MESHWORK_ADMIN_TOKEN)%n",
          plane.adminTokenFile());
      out.flush();
      stopRequested.await();
    } finally {
      plane.close();
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is what stopped us.
      }
    }
    return ExitCode.OK;
  }

  /** Stops a running {@link #call()} as SIGTERM does; for embedding and tests. */
  void requestStop() {
    stopRequested.countDown();
  }

  /** {@code HOST:PORT}, with IPv6 hosts in brackets ({@code [::1]:15010}). */
  static InetSocketAddress parseListen(String value) {
    String v = value == null ? "" : value.strip();
    int colon = v.lastIndexOf(':');
    String host = colon < 0 ? "" : v.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      host = "";
    }
    int port = -1;
    if (colon >= 0) {
      try {
        port = Integer.parseInt(v.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
    }
    if (host.isEmpty() || port < 0 || port > 65535) {
      throw new UserError("--listen: " + value + " (expected: HOST:PORT, e.g. " + DEFAULT_LISTEN + ")",
          ExitCode.USAGE);
    }
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new UserError("--listen: " + value + " (expected: HOST:PORT with a resolvable HOST, e.g. "
          + DEFAULT_LISTEN + ")", ExitCode.USAGE);
    }
    return address;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
