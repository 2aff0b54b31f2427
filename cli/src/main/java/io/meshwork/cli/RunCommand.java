package io.meshwork.cli;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.outbound.OutboundCallers;
import io.meshwork.proxy.policy.ApiKeyCredentials;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meshwork run}: Dapr's launcher. Starts a sidecar, waits until it is ready, starts the app
 * with the sidecar's ports in its environment, and exits with the app's exit code, taking the sidecar
 * down with it.
 */
@Command(
    name = "run",
    description = {
      "Runs an app with its own sidecar, and stops the sidecar when the app exits.",
      "The app finds the sidecar in its environment: HTTP_PROXY, MESH_HTTP_PORT, MESH_SOCKS_PORT and",
      "DAPR_HTTP_PORT. It is registered in the mesh (at the sidecar's inbound port) while it answers on",
      "--app-port. Exits with the app's exit code; Ctrl-C or SIGTERM stops both and deregisters."
    },
    sortOptions = false,
    mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
  private static final long APP_STOP_GRACE_SECONDS = 10;

  @Option(names = "--service", required = true, paramLabel = "NAME", description = "The app's service name.")
  String service;

  @Option(names = "--app-port", required = true, paramLabel = "P", description = "The port the app listens on.")
  int appPort;

  @Option(names = "--namespace", defaultValue = "default", description = "The service's namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--labels", split = ",", paramLabel = "KEY=VALUE",
      description = "Labels of this instance, e.g. version=v2.")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(names = "--config", paramLabel = "PATH",
      description = "Standalone mode: a folder of YAML instead of a control plane (the app is not registered).")
  Path config;

  @Mixin ControlPlaneOptions controlPlane;

  @Mixin WorkloadIdentityOptions identity;

  @Option(names = "--http-port", defaultValue = "0", paramLabel = "P", description = "Outbound HTTP proxy port (0: free).")
  int httpPort;

  @Option(names = "--socks-port", defaultValue = "0", paramLabel = "P", description = "Outbound SOCKS5 port (0: free).")
  int socksPort;

  @Option(names = "--inbound-port", defaultValue = "0", paramLabel = "P", description = "Inbound port (0: free).")
  int inboundPort;

  @Option(names = "--admin-port", defaultValue = "0", paramLabel = "P", description = "Admin port (0: free).")
  int adminPort;

  @Option(names = "--apikey-client-id", defaultValue = "${env:SIDECAR_APIKEY_CLIENT_ID}", paramLabel = "ID",
      description = "Present this API key on the app's outbound calls; the secret comes from env"
          + " SIDECAR_APIKEY_CLIENT_SECRET or the file named by SIDECAR_APIKEY_CLIENT_SECRET_FILE.")
  String apiKeyClientId;

  @Option(names = "--io-threads", defaultValue = "1", paramLabel = "N",
      description = "Event loop threads of the sidecar (default: ${DEFAULT-VALUE}).")
  int ioThreads;

  @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The app's command line, after --.")
  List<String> command = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (appPort < 1 || appPort > 65535) {
      throw new UserError("--app-port: " + appPort + " (expected: the app's port, 1..65535)", ExitCode.USAGE);
    }
    SidecarSettings settings;
    try {
      settings = new SidecarSettings(service, namespace, URI.create("http://127.0.0.1:" + appPort), "127.0.0.1",
          inboundPort, httpPort, adminPort, Map.of(), ioThreads, socksPort, OutboundCallers.LOOPBACK)
          .withOutboundApiKey(ApiKeyCredentials.fromEnvironment(apiKeyClientId, System.getenv()));
    } catch (IllegalArgumentException e) {
      throw new UserError(OptionNames.of(e.getMessage()), ExitCode.USAGE);
    }
    SidecarRuntime runtime = config != null
        ? SidecarRuntime.fromFiles(settings, config)
        : SidecarRuntime.fromControlPlane(settings, identity.client(controlPlane.url(), service, namespace, err),
            controlPlane.url().toString(), labels);
    Sidecar sidecar = runtime.sidecar();
    err.printf("meshwork run: sidecar for %s ready (http 127.0.0.1:%d, socks5 127.0.0.1:%d, inbound 127.0.0.1:%d,"
        + " admin 127.0.0.1:%d); starting %s%n", service, sidecar.httpPort(), sidecar.socksPort(),
        sidecar.inboundPort(), sidecar.adminPort(), describe(command));
    err.flush();

    Process app;
    try {
      app = appProcess(sidecar).start();
    } catch (IOException e) {
      runtime.close();
      throw new UserError("cannot start " + command.get(0) + ": " + e.getMessage());
    }
    AtomicReference<Process> running = new AtomicReference<>(app);
    Thread stopper = new Thread(() -> {
      Process p = running.get();
      if (p != null && p.isAlive()) {
        stop(p);
      }
      runtime.close();
    }, "meshwork-run-shutdown");
    Runtime.getRuntime().addShutdownHook(stopper);

    int exit = app.waitFor();
    running.set(null);
    runtime.close();
    err.printf("meshwork run: %s exited with %d%n", service, exit);
    err.flush();
    return exit;
  }

  private ProcessBuilder appProcess(Sidecar sidecar) {
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    Map<String, String> env = builder.environment();
    String proxy = "http://127.0.0.1:" + sidecar.httpPort();
    env.put("HTTP_PROXY", proxy);
    env.put("http_proxy", proxy);
    env.putIfAbsent("NO_PROXY", "localhost,127.0.0.1");
    env.putIfAbsent("no_proxy", "localhost,127.0.0.1");
    env.put("MESH_HTTP_PORT", Integer.toString(sidecar.httpPort()));
    env.put("DAPR_HTTP_PORT", Integer.toString(sidecar.httpPort()));
    if (sidecar.socksPort() > 0) {
      env.put("MESH_SOCKS_PORT", Integer.toString(sidecar.socksPort()));
    }
    env.put("APP_PORT", Integer.toString(appPort));
    env.put("MESH_SERVICE", service);
    return builder;
  }

  /** The app's command line for humans: the program's file name and its arguments, long ones elided. */
  static String describe(List<String> command) {
    StringBuilder line = new StringBuilder(Path.of(command.get(0)).getFileName().toString());
    for (String arg : command.subList(1, command.size())) {
      line.append(' ').append(arg.length() > 40 ? arg.substring(0, 20) + "..." : arg);
    }
    return line.toString();
  }

  /** SIGTERM, then SIGKILL after a grace period, as a process supervisor does. */
  private static void stop(Process app) {
    app.destroy();
    try {
      if (!app.waitFor(APP_STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
        app.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      app.destroyForcibly();
    }
  }
}
