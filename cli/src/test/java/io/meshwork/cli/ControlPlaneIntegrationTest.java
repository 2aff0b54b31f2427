package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneSettings;
import io.meshwork.model.Kind;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.discovery.AppProbe;
import io.meshwork.proxy.discovery.ControlPlaneAuth;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import io.meshwork.proxy.discovery.ControlPlaneConfigSource;
import io.meshwork.proxy.discovery.Lease;
import io.meshwork.proxy.discovery.Registration;
import io.meshwork.proxy.discovery.Workload;
import io.meshwork.proxy.retry.Backoff;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar's side of the control plane against the real thing: a {@link ControlPlane} started in-process over TLS,
 * a {@link ControlPlaneConfigSource} and a {@link Registration} authenticated with a join token, as a sidecar is.
 */
@Timeout(60)
class ControlPlaneIntegrationTest {
  private static final ControlPlaneConfigSource.Timing FAST = new ControlPlaneConfigSource.Timing(
      Duration.ofMillis(20), new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)), Duration.ofSeconds(30));

  @TempDir Path data;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final LinkedBlockingQueue<MeshSnapshot> published = new LinkedBlockingQueue<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  /** Stops a control plane as a crash or a restart would, before the test ends. */
  private void stop(ControlPlane plane) {
    open.remove(plane);
    plane.close();
  }

  private ControlPlane start(ControlPlaneSettings settings) {
    return track(ControlPlane.start(settings));
  }

  private ControlPlane start(int port) {
    return start(new ControlPlaneSettings(data, new InetSocketAddress("127.0.0.1", port)));
  }

  private ControlPlaneClient admin(ControlPlane plane) throws IOException {
    String token = Files.readString(plane.adminTokenFile()).strip();
    return track(new ControlPlaneClient(URI.create(plane.url()),
        new ControlPlaneAuth(token, ControlPlaneAuth.trusting(plane.trustBundleFile()))));
  }

  /** What a sidecar for {@code service} holds: a join token and the trust bundle. */
  private ControlPlaneClient sidecar(ControlPlane plane, String service) {
    return track(new ControlPlaneClient(URI.create(plane.url()), new ControlPlaneAuth(
        plane.joinToken(service, "default", Duration.ofHours(1)), ControlPlaneAuth.trusting(plane.trustBundleFile()))));
  }

  private ControlPlaneConfigSource source(ControlPlaneClient client) {
    return track(new ControlPlaneConfigSource(client, new LocalService("productpage", "default"),
        new SnapshotCompiler(), published::add, FAST, RandomGenerator.getDefault()));
  }

  private static Resource<?> route(String name, String host) {
    return ResourceParser.parse("route.yaml", """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: default}
        spec:
          hosts: [%s]
          http: [{route: [{destination: {host: %s}}]}]
        """.formatted(name, host, host)).resources().getFirst();
  }

  private static List<String> names(ControlPlaneConfigSource source) {
    return source.resources().stream().map(r -> r.kind().kindName() + "/" + r.name()).toList();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  @Test
  void aWatchingSidecarSeesAnAppliedVirtualService() throws Exception {
    ControlPlane plane = start(0);
    ControlPlaneConfigSource source = source(sidecar(plane, "productpage"));
    MeshSnapshot initial = source.loadInitial(Duration.ofSeconds(5));
    source.start();

    long revision = admin(plane).apply(route("reviews", "reviews")).resource().metadata().resourceVersion()
        .transform(Long::parseLong);

    await("the snapshot reaches revision " + revision, () -> published.stream().anyMatch(s -> s.version() >= revision));
    assertThat(initial.version()).isLessThan(revision);
    assertThat(names(source)).contains("VirtualService/reviews");
    assertThat(source.state().connected()).isTrue();
  }

  @Test
  void aRestartedControlPlaneIsResumedWithoutLosingEvents() throws Exception {
    ControlPlane first = start(0);
    int port = first.port();
    admin(first).apply(route("reviews", "reviews"));
    ControlPlaneConfigSource source = source(sidecar(first, "productpage"));
    source.loadInitial(Duration.ofSeconds(5));
    source.start();
    await("the watch is open", () -> source.state().connected());
    stop(first);
    await("the loss is noticed", () -> !source.state().connected());

    // While the sidecar's control plane is down, another instance on the same data directory changes it.
    ControlPlane elsewhere = start(0);
    ControlPlaneClient other = admin(elsewhere);
    other.apply(route("ratings", "ratings"));
    other.delete(Kind.VIRTUAL_SERVICE, "default", "reviews");
    long changed = elsewhere.store().currentRevision();
    stop(elsewhere);
    assertThat(names(source)).as("the last snapshot keeps serving").containsExactly("VirtualService/reviews");

    start(port);

    await("the sidecar catches up to revision " + changed, () -> source.state().revision() >= changed);
    await("the change is published", () -> published.stream().anyMatch(s -> s.version() >= changed));
    assertThat(names(source)).containsExactly("VirtualService/ratings");
    assertThat(source.state().relists()).as("resumed from its revision, not listed again").isZero();
    assertThat(source.state().reconnects()).isPositive();
  }

  @Test
  void aControlPlaneThatLostItsDataIsListedAgain(@TempDir Path backup) throws Exception {
    ControlPlane first = start(0);
    int port = first.port();
    stop(first);
    // A copy of the data directory as it was before any change: same CA and admin token, an older store.
    copy(data, backup);
    ControlPlane current = start(port);
    ControlPlaneClient admin = admin(current);
    for (int i = 0; i < 5; i++) {
      admin.apply(route("route-" + i, "svc-" + i));
    }
    ControlPlaneConfigSource source = source(admin);
    source.loadInitial(Duration.ofSeconds(5));
    source.start();
    await("the watch is open", () -> source.state().connected());
    assertThat(names(source)).hasSize(5);
    stop(current);

    start(new ControlPlaneSettings(backup, new InetSocketAddress("127.0.0.1", port)));

    await("the sidecar follows the restored control plane", () -> names(source).isEmpty());
    assertThat(source.state().relists()).isEqualTo(1);
  }

  private static void copy(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  @Test
  void aRegisteredWorkloadAppearsAndLeavesAtOnceOnClose() throws Exception {
    ControlPlane plane = start(0);
    ControlPlaneClient admin = admin(plane);
    ControlPlaneConfigSource source = source(sidecar(plane, "productpage"));
    source.loadInitial(Duration.ofSeconds(5));
    source.start();

    Workload orders = new Workload("orders", "default", "127.0.0.1", 15006, Map.of("version", "v1"),
        Duration.ofSeconds(30));
    Registration registration = Registration.start(sidecar(plane, "orders"), orders, AppProbe.always());
    await("the registration is made", () -> registration.state() == Registration.State.REGISTERED);
    String entry = registration.lease().map(Lease::name).orElseThrow();

    var stored = admin.get(Kind.WORKLOAD_ENTRY, "default", entry);
    assertThat(stored).get().satisfies(r -> {
      var spec = (io.meshwork.model.networking.WorkloadEntry) r.spec();
      assertThat(spec.address()).isEqualTo("127.0.0.1");
      assertThat(spec.ports()).containsValue(15006);
      assertThat(spec.labels()).containsEntry("app", "orders").containsEntry("version", "v1");
    });
    await("the sidecar sees the workload", () -> names(source).contains("WorkloadEntry/" + entry));

    registration.close();

    assertThat(admin.get(Kind.WORKLOAD_ENTRY, "default", entry)).as("deregistered at once").isEmpty();
    await("the sidecar drops the workload", () -> !names(source).contains("WorkloadEntry/" + entry));
  }

  @Test
  void aRegistrationWhoseRenewalsStopExpires() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    ControlPlane plane = start(new ControlPlaneSettings(data, new InetSocketAddress("127.0.0.1", 0))
        .withClock(clock, Duration.ofMillis(20)));
    ControlPlaneClient admin = admin(plane);
    // A sidecar that registered once and then died: nothing renews its lease.
    Lease lease = sidecar(plane, "orders").register(new Workload("orders", "default", "127.0.0.1", 15007, Map.of(),
        Duration.ofSeconds(5)));
    assertThat(admin.get(Kind.WORKLOAD_ENTRY, "default", lease.name())).isPresent();

    clock.advance(Duration.ofSeconds(4));
    TimeUnit.MILLISECONDS.sleep(100); // several lease checks run; the lease is not due yet
    assertThat(admin.get(Kind.WORKLOAD_ENTRY, "default", lease.name())).isPresent();

    clock.advance(Duration.ofSeconds(2));
    await("the lapsed entry is removed", () -> admin.get(Kind.WORKLOAD_ENTRY, "default", lease.name()).isEmpty());
    assertThat(admin.keepAlive("default", lease.name())).as("its lease is gone").isEmpty();
  }

  /** A clock the test moves; starts at the real time so that certificates are valid for the JDK's checks. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
