package io.meshwork.proxy.tls;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.security.CsrFactory;
import io.meshwork.proxy.security.SvidValidation;
import io.meshwork.proxy.security.SvidValidator;
import io.meshwork.proxy.security.TrustAnchors;
import io.meshwork.proxy.security.WorkloadCsr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workload's current SVID and trust bundle. A renewing identity asks its CA for a new
 * certificate at half of the current one's lifetime (Istio's default rotation point), retries
 * sooner when that fails, and polls the trust bundle with {@code If-None-Match}. Listeners learn
 * of every change; new connections use the new certificate while existing ones keep theirs.
 */
public final class WorkloadIdentity implements AutoCloseable {
  /** How often the trust bundle is polled; well inside the CA's root activation delay (2 min). */
  public static final Duration BUNDLE_POLL = Duration.ofSeconds(30);
  /** Istio's default workload certificate TTL. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(24);
  private static final Duration MIN_RETRY = Duration.ofMillis(100);
  private static final Duration MAX_RETRY = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(WorkloadIdentity.class);

  /** Runs a task after a delay; injectable so that tests drive renewal by hand. */
  @FunctionalInterface
  public interface Scheduler {
    void schedule(Runnable task, Duration delay);
  }

  private final CertificateAuthority ca;
  private final Duration ttl;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Runnable shutdown;
  private final List<Consumer<WorkloadCredentials>> listeners = new CopyOnWriteArrayList<>();
  private volatile WorkloadCredentials current;
  private volatile String bundleEtag;
  private volatile boolean closed;

  private WorkloadIdentity(CertificateAuthority ca, Duration ttl, Clock clock, Scheduler scheduler, Runnable shutdown,
      WorkloadCredentials initial) {
    this.ca = ca;
    this.ttl = ttl;
    this.clock = clock;
    this.scheduler = scheduler;
    this.shutdown = shutdown;
    this.current = initial;
  }

  /** An identity that never changes: tests, and standalone sidecars given certificate files. */
  public static WorkloadIdentity fixed(SpiffeId id, PrivateKey key, List<X509Certificate> chain, TrustAnchors bundle) {
    return new WorkloadIdentity(null, null, Clock.systemUTC(), null, () -> { },
        new WorkloadCredentials(id, key, chain, bundle));
  }

  /**
   * A fixed identity whose SPIFFE ID is read from the leaf, which must be a valid X.509-SVID under
   * {@code bundle} now (standalone sidecars given certificate files fail fast on a bad one).
   *
   * @throws IllegalArgumentException when the chain is not a valid SVID of the bundle
   */
  public static WorkloadIdentity fixed(PrivateKey key, List<X509Certificate> chain, TrustAnchors bundle) {
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain: [] (expected: the leaf certificate first)");
    }
    String trustDomain = SvidValidator.trustDomainOf(chain.get(0))
        .orElseThrow(() -> new IllegalArgumentException("chain: leaf has no SPIFFE ID (expected: an X.509-SVID)"));
    return switch (new SvidValidator(bundle, trustDomain, Clock.systemUTC()).validate(chain)) {
      case SvidValidation.Valid valid -> fixed(valid.peer(), key, chain, bundle);
      case SvidValidation.Rejected rejected -> throw new IllegalArgumentException("chain: " + rejected.reason() + ", "
          + rejected.detail() + " (expected: a valid X.509-SVID under the trust bundle)");
    };
  }

  /**
   * Obtains a first certificate from {@code ca} (blocking the caller) and keeps it renewed on a
   * daemon thread of its own.
   *
   * @throws UncheckedIOException when the first certificate cannot be had
   */
  public static WorkloadIdentity renewing(CertificateAuthority ca, SpiffeId id, Duration ttl) {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "meshwork-identity");
      t.setDaemon(true);
      return t;
    });
    try {
      return renewing(ca, id, ttl, Clock.systemUTC(),
          (task, delay) -> executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS),
          executor::shutdownNow);
    } catch (RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
  }

  /** As {@link #renewing(CertificateAuthority, SpiffeId, Duration)} with the clock and scheduler given. */
  public static WorkloadIdentity renewing(CertificateAuthority ca, SpiffeId id, Duration ttl, Clock clock,
      Scheduler scheduler, Runnable shutdown) {
    Objects.requireNonNull(ca, "ca");
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
    }
    WorkloadCredentials first;
    try {
      first = issue(ca, id, ttl, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot obtain a certificate for " + id + ": " + e.getMessage(), e);
    }
    WorkloadIdentity identity = new WorkloadIdentity(ca, ttl, clock, scheduler, shutdown, first);
    log.info("workload identity {}: certificate valid until {}", id, first.notAfter());
    identity.scheduleRenewal();
    scheduler.schedule(identity::pollBundle, BUNDLE_POLL);
    return identity;
  }

  public WorkloadCredentials current() {
    return current;
  }

  public SpiffeId id() {
    return current.id();
  }

  /** Calls {@code listener} after every change of certificate or bundle, on the renewal thread. */
  public void onChange(Consumer<WorkloadCredentials> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** When the current certificate is due for renewal: half of its lifetime. */
  public Instant renewalDue() {
    WorkloadCredentials c = current;
    return c.notBefore().plus(c.lifetime().dividedBy(2));
  }

  private void scheduleRenewal() {
    scheduler.schedule(this::renew, positive(Duration.between(clock.instant(), renewalDue())));
  }

  private void renew() {
    if (closed) {
      return;
    }
    WorkloadCredentials old = current;
    try {
      WorkloadCredentials next = issue(ca, old.id(), ttl, old);
      publish(next);
      log.debug("workload identity {}: renewed, valid until {}", next.id(), next.notAfter());
      scheduleRenewal();
    } catch (IOException | RuntimeException e) {
      Duration left = Duration.between(clock.instant(), old.notAfter());
      Duration retry = clamp(left.dividedBy(8));
      log.warn("workload identity {}: renewal failed ({}); retrying in {} ms, certificate valid for {} ms more",
          old.id(), e.getMessage(), retry.toMillis(), left.toMillis());
      scheduler.schedule(this::renew, retry);
    }
  }

  private void pollBundle() {
    if (closed) {
      return;
    }
    try {
      ca.trustBundle(bundleEtag).ifPresent(bundle -> {
        bundleEtag = bundle.etag();
        if (!bundle.anchors().roots().equals(current.bundle().roots())) {
          publish(current.withBundle(bundle.anchors()));
          log.info("workload identity {}: trust bundle changed ({} roots)", current.id(), bundle.anchors().roots().size());
        }
      });
    } catch (IOException | RuntimeException e) {
      log.warn("workload identity {}: trust bundle poll failed: {}", current.id(), e.getMessage());
    }
    scheduler.schedule(this::pollBundle, BUNDLE_POLL);
  }

  private void publish(WorkloadCredentials next) {
    current = next;
    for (Consumer<WorkloadCredentials> listener : listeners) {
      try {
        listener.accept(next);
      } catch (RuntimeException e) {
        log.warn("workload identity {}: a listener failed on rotation", next.id(), e);
      }
    }
  }

  private static WorkloadCredentials issue(CertificateAuthority ca, SpiffeId id, Duration ttl,
      WorkloadCredentials current) throws IOException {
    WorkloadCsr csr = CsrFactory.create(id);
    CertificateAuthority.Issued issued = ca.issue(csr, ttl, current);
    return new WorkloadCredentials(id, csr.keyPair().getPrivate(), issued.chain(), issued.bundle());
  }

  private static Duration positive(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Duration clamp(Duration d) {
    if (d.compareTo(MIN_RETRY) < 0) {
      return MIN_RETRY;
    }
    return d.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : d;
  }

  @Override
  public void close() {
    closed = true;
    shutdown.run();
  }
}
