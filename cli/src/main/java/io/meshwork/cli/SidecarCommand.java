package io.meshwork.cli;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.egress.OutboundTrafficPolicy;
import io.meshwork.proxy.admin.AdminAccess;
import io.meshwork.proxy.tls.CertificateFiles;
import io.meshwork.proxy.tls.WorkloadIdentity;
import io.meshwork.proxy.outbound.OutboundCallers;
import io.meshwork.proxy.policy.ApiKeyCredentials;
import io.meshwork.proxy.config.MeshSnapshot;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meshwork sidecar}: runs one sidecar proxy beside a local app. */
@Command(
    name = "sidecar",
    description = {
      "Runs a sidecar proxy beside one service.",
      "Outbound, the app reaches other services through the HTTP proxy port (HTTP_PROXY),",
      "the Dapr invoke API on the same port, or an --upstream port; inbound traffic for the",
      "service goes to --target. Configuration comes from a folder of Istio YAML (--config),",
      "reloaded when a file changes."
    },
    sortOptions = false,
    mixinStandardHelpOptions = true)
final class SidecarCommand implements Callable<Integer> {

  @Option(names = "--service", defaultValue = "${env:SIDECAR_SERVICE_ID}",
      description = "The local service's name (env SIDECAR_SERVICE_ID).")
  String service;

  @Option(names = "--namespace", defaultValue = "default", description = "The service's namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--target", defaultValue = "${env:SIDECAR_TARGET}", paramLabel = "URL",
      description = "Where the local app listens, e.g. http://127.0.0.1:8080 (env SIDECAR_TARGET).")
  URI target;

  @Option(names = "--config", paramLabel = "PATH",
      description = "Standalone mode: a folder (or one file) of Istio/Meshwork YAML or JSON, reloaded on change,"
          + " instead of a control plane.")
  Path config;

  @Mixin ControlPlaneOptions controlPlane;

  @Mixin WorkloadIdentityOptions identity;

  @Option(names = "--labels", split = ",", paramLabel = "KEY=VALUE",
      description = "Labels of this instance, e.g. version=v2 (subsets select instances by label).")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(names = "--bind", paramLabel = "ADDRESS",
      description = "Address the inbound port listens on (default: the advertise address; 127.0.0.1 with --config)."
          + " The outbound and admin ports always listen on loopback.")
  String bind;

  @Option(names = "--advertise-address", paramLabel = "ADDR",
      description = "The address peers dial to reach the inbound port, registered in the mesh (default: the address"
          + " of this machine's interface towards the control plane; loopback when the control plane is on"
          + " loopback). 0.0.0.0 and other addresses no peer can dial are refused.")
  String advertiseAddress;

  /** Where the app is registered; null in standalone mode, which registers nothing. */
  private AdvertiseAddress advertise;

  @Option(names = "--admin-bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
      description = "Address the admin port listens on, whatever --bind is (default: ${DEFAULT-VALUE}). /ready is"
          + " open to all; /config and /drain need a loopback caller or the --admin-token-file token.")
  String adminBind;

  @Option(names = "--admin-token-file", paramLabel = "FILE",
      description = "File (owner-only) holding a bearer token that lets non-loopback callers use /config and"
          + " /drain: 'Authorization: Bearer <token>'.")
  Path adminTokenFile;

  @Option(names = "--cert-file", paramLabel = "FILE",
      description = "With --config: the workload's X.509-SVID chain (PEM, leaf first) for mutual TLS; needs"
          + " --key-file and --ca-file (the trust bundle). Read once at start.")
  Path certFile;

  @Option(names = "--key-file", paramLabel = "FILE",
      description = "With --config: the private key of --cert-file (unencrypted PEM, PKCS #8 or EC/RSA).")
  Path keyFile;

  @Option(names = "--inbound-port", defaultValue = "0", paramLabel = "P",
      description = "Port for traffic to this service (0: a free port, printed).")
  int inboundPort;

  @Option(names = "--http-port", defaultValue = "0", paramLabel = "P",
      description = "Outbound HTTP proxy port for the app (0: a free port, printed).")
  int httpPort;

  @Option(names = "--socks-port", defaultValue = "0", paramLabel = "P",
      description = "Outbound SOCKS5 port: any TCP client reaches services by name (0: a free port, -1: none).")
  int socksPort;

  @Option(names = "--admin-port", defaultValue = "0", paramLabel = "P",
      description = "Admin port: /ready, /config, /drain (0: a free port, printed).")
  int adminPort;

  @Option(names = "--upstream", paramLabel = "NAME=PORT", converter = UpstreamPort.Converter.class,
      description = "Listen on 127.0.0.1:PORT and send everything to service NAME. Repeatable.")
  List<UpstreamPort> upstreamPorts = new ArrayList<>();

  @Option(names = "--outbound-traffic-policy", paramLabel = "ALLOW_ANY|REGISTRY_ONLY",
      description = "What the HTTP proxy port does with hosts outside the mesh, for this sidecar: pass them"
          + " through (ALLOW_ANY) or refuse them with 502 (REGISTRY_ONLY). Default: the mesh's"
          + " meshConfig.outboundTrafficPolicy, ALLOW_ANY when unset.")
  OutboundTrafficPolicy outboundTrafficPolicy;

  @Option(names = "--from", defaultValue = "${env:SIDECAR_FROM:-127.0.0.1,::1}", paramLabel = "ADDRESS,...",
      description = "Callers that may use the outbound ports to reach other services; others get 403"
          + " (env SIDECAR_FROM; default: ${DEFAULT-VALUE}).")
  String from;

  @Option(names = "--strict", defaultValue = "${env:SIDECAR_STRICT:-true}", arity = "1", paramLabel = "true|false",
      description = "true: the caller is the connection's address; false: X-Forwarded-For may name it"
          + " (env SIDECAR_STRICT; default: ${DEFAULT-VALUE}).")
  boolean strict;

  @Option(names = "--apikey-client-id", defaultValue = "${env:SIDECAR_APIKEY_CLIENT_ID}", paramLabel = "ID",
      description = "Present this API key on calls the app makes through the outbound ports; the secret comes from"
          + " env SIDECAR_APIKEY_CLIENT_SECRET or the file named by SIDECAR_APIKEY_CLIENT_SECRET_FILE"
          + " (env SIDECAR_APIKEY_CLIENT_ID).")
  String apiKeyClientId;

  @Option(names = "--io-threads", defaultValue = "0", paramLabel = "N",
      description = "Event loop threads (0: one per core).")
  int ioThreads;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (service == null || service.isBlank()) {
      throw new UserError("--service: missing (expected: the local service's name, or SIDECAR_SERVICE_ID)", ExitCode.USAGE);
    }
    if (config != null && !Files.exists(config)) {
      throw new UserError("--config: " + config + " does not exist (expected: a folder or file of YAML/JSON resources)");
    }
    Map<String, Integer> upstreams = new LinkedHashMap<>();
    upstreamPorts.forEach(u -> upstreams.put(u.service(), u.port()));
    if (config == null && (certFile != null || keyFile != null)) {
      throw new UserError("--cert-file/--key-file: only with --config (expected: with a control plane the sidecar"
          + " gets its certificate from the control plane's CA)", ExitCode.USAGE);
    }
    AdminAccess adminAccess;
    try {
      adminAccess = adminTokenFile == null ? AdminAccess.LOOPBACK_ONLY : AdminAccess.fromFile(adminTokenFile);
    } catch (IllegalArgumentException e) {
      throw new UserError("--admin-token-file: " + e.getMessage().replaceFirst("^admin token file: ", ""));
    }
    if (config == null && target != null) {
      advertise = AdvertiseAddress.resolve(advertiseAddress, controlPlane.url());
    }
    String inbound = bind != null ? bind : advertise != null ? advertise.text()
        : advertiseAddress != null ? advertiseAddress : "127.0.0.1";
    SidecarSettings settings;
    try {
      settings = new SidecarSettings(service, namespace, target, inbound, inboundPort, httpPort, adminPort, upstreams,
          ioThreads, socksPort, OutboundCallers.parse(from, strict))
          .withOutboundApiKey(ApiKeyCredentials.fromEnvironment(apiKeyClientId, System.getenv()))
          .withAdmin(adminBind, adminAccess)
          .withOutboundTrafficPolicy(outboundTrafficPolicy);
    } catch (IllegalArgumentException e) {
      throw new UserError(OptionNames.of(e.getMessage()), ExitCode.USAGE);
    }

    SidecarRuntime runtime = start(settings, spec.commandLine().getErr());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.close();
      stopped.countDown();
    }, "meshwork-shutdown"));

    printBanner(spec.commandLine().getOut(), runtime);
    stopped.await();
    return ExitCode.OK;
  }

  /** Starts the sidecar from --config when given, else from the control plane. */
  SidecarRuntime start(SidecarSettings settings, PrintWriter err) {
    if (config != null) {
      return SidecarRuntime.fromFiles(settings, config, fileIdentity());
    }
    java.net.URI url = controlPlane.url();
    return SidecarRuntime.fromControlPlane(settings, identity.client(url, service, namespace, err), url.toString(),
        labels, advertise == null ? settings.bindAddress() : advertise.text());
  }

  /** The identity from --cert-file, --key-file and --ca-file, or null when none is given. */
  private WorkloadIdentity fileIdentity() {
    if (certFile == null && keyFile == null) {
      return null;
    }
    if (certFile == null || keyFile == null || identity.caFile == null) {
      throw new UserError("--cert-file, --key-file, --ca-file: " + (certFile == null ? "--cert-file" : keyFile == null
          ? "--key-file" : "--ca-file") + " missing (expected: all three for mutual TLS in file mode)", ExitCode.USAGE);
    }
    try {
      return CertificateFiles.load(certFile, keyFile, identity.caFile);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
  }

  private void printBanner(PrintWriter out, SidecarRuntime runtime) {
    Sidecar sidecar = runtime.sidecar();
    MeshSnapshot snapshot = runtime.initialSnapshot();
    java.util.Optional<String> notReady = sidecar.notReady();
    if (notReady.isEmpty()) {
      out.printf("sidecar for service %s (namespace %s) is ready%n", service, namespace);
    } else {
      out.printf("sidecar for service %s (namespace %s) started, not ready: %s%n", service, namespace, notReady.get());
    }
    String inbound = sidecar.settings().bindAddress();
    String local = sidecar.settings().localAddress();
    out.printf("  inbound   %s:%d -> %s%s%n", inbound, sidecar.inboundPort(), target == null ? "(no target)" : target,
        advertise == null || advertise.text().equals(inbound) ? "" : "  (registered as " + advertise.text() + ")");
    out.printf("  http      %s:%d   HTTP_PROXY=http://%s:%d%n", local, sidecar.httpPort(), local, sidecar.httpPort());
    if (sidecar.socksPort() > 0) {
      out.printf("  socks5    %s:%d   any TCP client, by service name%n", local, sidecar.socksPort());
    }
    upstreamPorts.forEach(u -> out.printf("  upstream  %s:%d -> %s%n", local, sidecar.upstreamPort(u.service()), u.service()));
    out.printf("  admin     http://%s:%d/  (ready, config, drain)%n", sidecar.settings().adminBindAddress(), sidecar.adminPort());
    out.printf("  config    %s; %d notices%n", runtime.origin(), snapshot.notices().size());
    out.flush();
  }
}
