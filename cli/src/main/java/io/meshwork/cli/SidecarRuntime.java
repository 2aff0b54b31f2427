package io.meshwork.cli;

import io.meshwork.proxy.Sidecar;
import io.meshwork.proxy.SidecarSettings;
import io.meshwork.proxy.cluster.UpstreamTls;
import io.meshwork.proxy.config.ConfigException;
import io.meshwork.proxy.config.FileConfigSource;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.ratelimit.ControlPlaneCounters;
import io.meshwork.proxy.ratelimit.GlobalLimit;
import io.meshwork.proxy.config.SnapshotRef;
import io.meshwork.proxy.discovery.AppProbe;
import io.meshwork.proxy.discovery.CertificateClient;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import io.meshwork.proxy.discovery.ControlPlaneConfigSource;
import io.meshwork.proxy.discovery.ControlPlaneException;
import io.meshwork.proxy.discovery.Registration;
import io.meshwork.proxy.discovery.Workload;
import io.meshwork.proxy.tls.WorkloadIdentity;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A running sidecar with where its configuration comes from: a folder of YAML, or a control plane
 * that it watches and registers its app with. Shared by {@code meshwork sidecar} and {@code meshwork run}.
 */
final class SidecarRuntime implements AutoCloseable {
  private static final Duration CONTROL_PLANE_TIMEOUT = Duration.ofSeconds(15);

  private final Sidecar sidecar;
  private final AutoCloseable source;
  private final ControlPlaneClient client;
  /** Set once the workload is registered, which waits for its certificate; null until then and without a target. */
  private final AtomicReference<Registration> registration = new AtomicReference<>();
  /** Deregistered for shutdown: a certificate arriving now must not publish the endpoint again. */
  private boolean withdrawn;
  private final String origin;
  private final MeshSnapshot initial;
  private boolean closed;

  private SidecarRuntime(Sidecar sidecar, AutoCloseable source, ControlPlaneClient client, String origin,
      MeshSnapshot initial) {
    this.sidecar = sidecar;
    this.source = source;
    this.client = client;
    this.origin = origin;
    this.initial = initial;
  }

  /** Standalone: routes and services from a folder (or file) of YAML, reloaded on change; no workload identity. */
  static SidecarRuntime fromFiles(SidecarSettings settings, Path config) {
    return fromFiles(settings, config, null);
  }

  /**
   * Standalone with a workload identity (from certificate files): the inbound port speaks mutual
   * TLS by PeerAuthentication and ISTIO_MUTUAL destinations get it.
   *
   * @param identity the workload's SVID, or null for none
   */
  static SidecarRuntime fromFiles(SidecarSettings settings, Path config, WorkloadIdentity identity) {
    LocalService local = new LocalService(settings.service(), settings.namespace());
    SnapshotRef snapshots = new SnapshotRef(null);
    FileConfigSource source = new FileConfigSource(config, local, new SnapshotCompiler(), snapshots::set);
    MeshSnapshot initial;
    try {
      initial = source.loadInitial();
    } catch (ConfigException e) {
      throw new UserError(e.getMessage());
    }
    snapshots.set(initial);
    Sidecar sidecar = Sidecar.start(settings, snapshots, identity);
    source.start();
    return new SidecarRuntime(sidecar, source, null, config + " (watching for changes)"
        + (identity == null ? "" : "; identity " + identity.id() + " from certificate files"), initial);
  }

  /** Mesh mode, registering the app at the sidecar's bind address. */
  static SidecarRuntime fromControlPlane(SidecarSettings settings, ControlPlaneClient client, String url,
      Map<String, String> labels) {
    return fromControlPlane(settings, client, url, labels, settings.bindAddress());
  }

  /** Mesh mode, registering the app at {@code advertiseAddress}, where peers dial its inbound port. */
  static SidecarRuntime fromControlPlane(SidecarSettings settings, ControlPlaneClient client, String url,
      Map<String, String> labels, String advertiseAddress) {
    return fromControlPlane(settings, client, url, labels, advertiseAddress, () -> client.auth().bearerToken());
  }

  /**
   * Mesh mode: watches the control plane for routes and services, and registers the local app (the
   * sidecar's inbound port, at {@code advertiseAddress}) under a lease while the app answers, once
   * the sidecar has its certificate. The join token for certificate requests is read anew at each
   * attempt (a token replaced after a refusal counts at the next retry).
   */
  static SidecarRuntime fromControlPlane(SidecarSettings settings, ControlPlaneClient client, String url,
      Map<String, String> labels, String advertiseAddress, Supplier<String> joinToken) {
    LocalService local = new LocalService(settings.service(), settings.namespace());
    SnapshotRef snapshots = new SnapshotRef(null);
    // GLOBAL rate limits lease their tokens from the same control plane, with the sidecar's credentials.
    ControlPlaneCounters counters = new ControlPlaneCounters(client.base(), client.auth(), GlobalLimit.DEADLINE);
    SnapshotCompiler compiler = new SnapshotCompiler(counters);
    ControlPlaneConfigSource source = new ControlPlaneConfigSource(client, local, compiler, snapshots::set);
    MeshSnapshot initial;
    try {
      initial = source.loadInitial(CONTROL_PLANE_TIMEOUT);
    } catch (ControlPlaneException e) {
      source.close();
      counters.close();
      throw new ControlPlaneOptions().explain(e);
    }
    snapshots.set(initial);
    // The join token buys the workload's SVID. A control-plane sidecar must have one: without it the
    // sidecar is not ready, refuses STRICT traffic and keeps asking (fail closed, never plaintext).
    WorkloadIdentity identity = CertificateClient.obtain(client, settings.namespace(), settings.service(),
        WorkloadIdentity.DEFAULT_TTL, joinToken);
    Sidecar sidecar;
    try {
      sidecar = Sidecar.start(settings, snapshots, identity);
    } catch (RuntimeException e) {
      identity.close();
      source.close();
      counters.close();
      throw e;
    }
    source.start();
    AutoCloseable watch = () -> {
      try {
        source.close();
      } finally {
        identity.close();
        counters.close();
      }
    };
    SidecarRuntime runtime = new SidecarRuntime(sidecar, watch, client, url + " (watching)", initial);
    if (settings.target() != null) {
      Map<String, String> registered = new java.util.HashMap<>(labels);
      // Istio's marker of a workload whose sidecar takes mutual TLS: peers' auto-mTLS keys on it.
      registered.put(UpstreamTls.TLS_MODE_LABEL, UpstreamTls.TLS_MODE_ISTIO);
      Workload workload = new Workload(settings.service(), settings.namespace(), advertiseAddress,
          sidecar.inboundPort(), registered, Workload.DEFAULT_TTL);
      InetSocketAddress app = new InetSocketAddress(settings.target().getHost(), port(settings));
      Runnable register = () -> runtime.register(() -> Registration.start(client, workload,
          AppProbe.tcp(app, AppProbe.DEFAULT_TIMEOUT)));
      // Peers would only meet refusals: the endpoint is published once the certificate is there, as a
      // Kubernetes endpoint waits for readiness.
      AtomicBoolean once = new AtomicBoolean();
      identity.onChange(credentials -> {
        if (once.compareAndSet(false, true)) {
          register.run();
        }
      });
      if (identity.current() != null && once.compareAndSet(false, true)) {
        register.run();
      }
    }
    return runtime;
  }

  /** Registers unless closed meanwhile. */
  private synchronized void register(Supplier<Registration> start) {
    if (!closed && !withdrawn && registration.get() == null) {
      registration.set(start.get());
    }
  }

  private static int port(SidecarSettings settings) {
    int p = settings.target().getPort();
    return p > 0 ? p : 80;
  }

  Sidecar sidecar() {
    return sidecar;
  }

  MeshSnapshot initialSnapshot() {
    return initial;
  }

  /** Where the configuration comes from, for the start-up banner. */
  String origin() {
    return origin;
  }

  /**
   * Withdraws the app's registration at once, so that peers stop routing here while the app is still up and
   * finishes what it has; the proxy keeps serving. {@link #close()} does the rest.
   */
  synchronized void deregister() {
    withdrawn = true;
    Registration registered = registration.getAndSet(null);
    if (registered != null) {
      registered.close();
    }
  }

  /**
   * Deregisters first (peers stop sending at once), then stops watching, then drains and stops the
   * proxy. A second caller waits until the first has finished: a JVM shutdown hook must not return
   * (and let the JVM halt) while another thread is still deregistering.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Registration registered = registration.get();
    if (registered != null) {
      registered.close();
    }
    try {
      source.close();
    } catch (Exception e) {
      // Closing a watch cannot fail in a way the user can act on.
    }
    if (client != null) {
      client.close();
    }
    sidecar.close();
  }
}
