package io.meshwork.cli;

import io.meshwork.model.codec.DurationFormat;
import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.egress.OutboundTrafficPolicy;
import io.meshwork.proxy.outbound.OutboundCallers;
import io.meshwork.proxy.policy.ApiKeyCredentials;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
      "The app finds the sidecar in its environment: HTTP_PROXY and HTTPS_PROXY (also",
      "lower case; NO_PROXY=localhost,127.0.0.1 unless set), MESH_HTTP_PORT,",
      "MESH_SOCKS_PORT and DAPR_HTTP_PORT. It is registered in the mesh (at the",
      "sidecar's inbound port) while it answers on --app-port. Exits with the app's",
      "exit code.",
      "SIGTERM (or Ctrl-C) withdraws the registration first, so that peers stop",
      "routing here, then sends SIGTERM to the app, and SIGKILL after",
      "--shutdown-grace. The app dies with this runner even when the runner is",
      "killed with SIGKILL (through util-linux's setpriv --pdeathsig).",
      "Across machines: the app is registered at --advertise-address (default: this",
      "machine's address towards the control plane), where the inbound port",
      "listens; the outbound and admin ports stay on loopback. See docs/multi-host.md."
    },
    sortOptions = false,
    mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {

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

  @Option(names = "--outbound-traffic-policy", paramLabel = "ALLOW_ANY|REGISTRY_ONLY",
      description = "What the sidecar does with hosts outside the mesh: pass them through (ALLOW_ANY) or refuse"
          + " them with 502 (REGISTRY_ONLY). Default: the mesh's meshConfig.outboundTrafficPolicy, ALLOW_ANY.")
  OutboundTrafficPolicy outboundTrafficPolicy;

  @Option(names = "--apikey-client-id", defaultValue = "${env:SIDECAR_APIKEY_CLIENT_ID}", paramLabel = "ID",
      description = "Present this API key on the app's outbound calls; the secret comes from env"
          + " SIDECAR_APIKEY_CLIENT_SECRET or the file named by SIDECAR_APIKEY_CLIENT_SECRET_FILE.")
  String apiKeyClientId;

  @Option(names = "--io-threads", defaultValue = "1", paramLabel = "N",
      description = "Event loop threads of the sidecar (default: ${DEFAULT-VALUE}).")
  int ioThreads;

  @Option(names = "--advertise-address", paramLabel = "ADDR",
      description = "The address peers dial to reach this app's inbound port, registered in the mesh (default: the"
          + " address of this machine's interface towards the control plane; loopback when the control plane is"
          + " on loopback). 0.0.0.0 and other addresses no peer can dial are refused.")
  String advertiseAddress;

  @Option(names = "--bind", paramLabel = "ADDRESS",
      description = "Address the inbound port listens on (default: the advertise address; e.g. 0.0.0.0 behind NAT)."
          + " The outbound and admin ports always listen on loopback.")
  String bind;

  @Option(names = "--shutdown-grace", defaultValue = "10s", paramLabel = "DURATION",
      description = "How long the app has to exit after SIGTERM before it is killed (default: ${DEFAULT-VALUE}).")
  String shutdownGrace;

  @Option(names = "--ready-timeout", defaultValue = "60s", paramLabel = "DURATION",
      description = "How long to wait for the sidecar to be ready (its certificate issued) before giving up without"
          + " starting the app (default: ${DEFAULT-VALUE}).")
  String readyTimeout;

  @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The app's command line, after --.")
  List<String> command = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (appPort < 1 || appPort > 65535) {
      throw new UserError("--app-port: " + appPort + " (expected: the app's port, 1..65535)", ExitCode.USAGE);
    }
    Duration grace = DurationFormat.parse(shutdownGrace).orElseThrow(() -> new UserError(
        "--shutdown-grace: " + shutdownGrace + " (expected: " + DurationFormat.EXPECTED + ")", ExitCode.USAGE));
    Duration readyWait = DurationFormat.parse(readyTimeout).orElseThrow(() -> new UserError(
        "--ready-timeout: " + readyTimeout + " (expected: " + DurationFormat.EXPECTED + ")", ExitCode.USAGE));
    checkProgram(command.get(0));
    // Standalone mode registers nothing; the inbound port then stays on loopback unless told otherwise.
    AdvertiseAddress advertise = config == null ? AdvertiseAddress.resolve(advertiseAddress, controlPlane.url())
        : null;
    String inbound = bind != null ? bind : advertise != null ? advertise.text()
        : advertiseAddress != null ? advertiseAddress : "127.0.0.1";
    SidecarSettings settings;
    try {
      settings = new SidecarSettings(service, namespace, URI.create("http://127.0.0.1:" + appPort), inbound,
          inboundPort, httpPort, adminPort, Map.of(), ioThreads, socksPort, OutboundCallers.LOOPBACK)
          .withOutboundApiKey(ApiKeyCredentials.fromEnvironment(apiKeyClientId, System.getenv()))
          .withOutboundTrafficPolicy(outboundTrafficPolicy);
    } catch (IllegalArgumentException e) {
      throw new UserError(OptionNames.of(e.getMessage()), ExitCode.USAGE);
    }
    SidecarRuntime runtime = config != null
        ? SidecarRuntime.fromFiles(settings, config)
        : SidecarRuntime.fromControlPlane(settings, identity.client(controlPlane.url(), service, namespace, err),
            controlPlane.url().toString(), labels, advertise.text());
    Sidecar sidecar = runtime.sidecar();
    awaitReady(runtime, readyWait, err);
    String local = settings.localAddress();
    err.printf("meshwork run: sidecar for %s ready (http %s:%d, socks5 %s:%d, inbound %s:%d%s, admin %s:%d);"
        + " starting %s%n", service, local, sidecar.httpPort(), local, sidecar.socksPort(), inbound,
        sidecar.inboundPort(), advertise == null || advertise.text().equals(inbound) ? ""
            : " registered as " + advertise.text(), local, sidecar.adminPort(), describe(command));
    ParentDeath tie = ParentDeath.get();
    if (!tie.available()) {
      err.println("meshwork run: " + tie.notice());
    }
    err.flush();

    // Started from this thread, which waits for the app as long as the runner lives: the parent-death signal
    // follows the thread that forked the child (see ParentDeath).
    Process app;
    try {
      app = appProcess(sidecar, tie).start();
    } catch (IOException e) {
      runtime.close();
      throw new UserError("cannot start " + command.get(0) + ": " + e.getMessage());
    }
    AtomicReference<Process> running = new AtomicReference<>(app);
    Thread stopper = new Thread(() -> {
      // Peers first: the registration goes at once, while the app still serves what is on its way.
      runtime.deregister();
      Process p = running.get();
      if (p != null && p.isAlive()) {
        stop(p, grace, err);
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

  /**
   * The app starts once its sidecar is ready, as Istio's holdApplicationUntilProxyStarts: an app whose
   * first calls meet a sidecar without a certificate would see them refused (fail closed).
   */
  private void awaitReady(SidecarRuntime runtime, Duration timeout, PrintWriter err) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String told = null;
    java.util.Optional<String> notReady;
    while ((notReady = runtime.sidecar().notReady()).isPresent()) {
      if (System.nanoTime() >= deadline) {
        runtime.close();
        throw new UserError("sidecar for " + service + " not ready after " + DurationFormat.format(timeout) + ": "
            + notReady.get() + "; the app was not started");
      }
      if (!notReady.get().equals(told)) {
        told = notReady.get();
        err.println("meshwork run: waiting for the sidecar: " + told);
        err.flush();
      }
      Thread.sleep(100);
    }
  }

  private ProcessBuilder appProcess(Sidecar sidecar, ParentDeath tie) {
    ProcessBuilder builder = new ProcessBuilder(tie.command(command)).inheritIO();
    Map<String, String> env = builder.environment();
    String proxy = "http://127.0.0.1:" + sidecar.httpPort();
    env.put("HTTP_PROXY", proxy);
    env.put("http_proxy", proxy);
    // https:// goes through the same port as a CONNECT tunnel (curl reads both spellings).
    env.put("HTTPS_PROXY", proxy);
    env.put("https_proxy", proxy);
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

  /**
   * Fails before anything starts when the app's program cannot be run: started through setpriv, a missing program
   * would only show as the app exiting with 127.
   */
  static void checkProgram(String program) {
    boolean found;
    if (program.contains("/")) {
      found = Files.isRegularFile(Path.of(program)) && Files.isExecutable(Path.of(program));
    } else {
      String path = System.getenv("PATH");
      found = path != null && java.util.Arrays.stream(path.split(":")).filter(d -> !d.isEmpty())
          .map(d -> Path.of(d, program)).anyMatch(p -> Files.isRegularFile(p) && Files.isExecutable(p));
    }
    if (!found) {
      throw new UserError("cannot start " + program + ": " + (program.contains("/") ? "not an executable file"
          : "no such program on PATH") + " (expected: the app's command line after --)", ExitCode.USAGE);
    }
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
  private void stop(Process app, Duration grace, PrintWriter err) {
    app.destroy();
    try {
      if (!app.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
        err.printf("meshwork run: %s did not exit within %s of SIGTERM; killing it%n", service,
            DurationFormat.format(grace));
        err.flush();
        app.destroyForcibly();
        app.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      app.destroyForcibly();
    }
  }
}
