package io.meshwork.proxy.tls;

import io.meshwork.model.identity.SpiffeId;
import io.meshwork.proxy.retry.Backoff;
import io.meshwork.proxy.security.CsrFactory;
import io.meshwork.proxy.security.SvidValidation;
import io.meshwork.proxy.security.SvidValidator;
import io.meshwork.proxy.security.TrustAnchors;
import io.meshwork.proxy.security.WorkloadCsr;
import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workload's current SVID and trust bundle. A renewing identity asks its CA for a new
 * certificate at half of the current one's lifetime (Istio's default rotation point), retries
 * sooner when that fails, and polls the trust bundle with {@code If-None-Match}. Listeners learn
 * of every change; new connections use the new certificate while existing ones keep theirs.
 *
 * <p>An identity may have no usable certificate: the first request was refused, or the certificate
 * expired while renewals failed. It then says why ({@link #missing()}), keeps asking with exponential
 * backoff, and the sidecar fails closed (not ready, no mutual TLS to offer) until a certificate comes.
 */
public final class WorkloadIdentity implements AutoCloseable {
  /** How often the trust bundle is polled; well inside the CA's root activation delay (2 min). */
  public static final Duration BUNDLE_POLL = Duration.ofSeconds(30);
  /** Istio's default workload certificate TTL. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(24);
  /** Retries of a missing certificate: 1 s doubling to 30 s, each jittered into [d/2, d). */
  public static final Backoff ISSUANCE_BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
  /** A changed failure reason is logged at WARN at most this often; the rest go to DEBUG. */
  static final Duration WARN_INTERVAL = Duration.ofMinutes(1);
  private static final Duration MIN_RETRY = Duration.ofMillis(100);
  private static final Duration MAX_RETRY = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(WorkloadIdentity.class);

  /** Runs a task after a delay; injectable so that tests drive renewal by hand. */
  @FunctionalInterface
  public interface Scheduler {
    void schedule(Runnable task, Duration delay);
  }

  /** The SPIFFE ID to ask for; resolving it may need the CA (its trust domain), so it may fail and is retried. */
  @FunctionalInterface
  public interface IdSource {
    SpiffeId resolve() throws IOException;
  }

  private final CertificateAuthority ca;
  private final IdSource idSource;
  private final Duration ttl;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Runnable shutdown;
  private final DoubleSupplier jitter;
  private final List<Consumer<WorkloadCredentials>> listeners = new CopyOnWriteArrayList<>();
  private volatile WorkloadCredentials current;
  private volatile String bundleEtag;
  private volatile boolean closed;
  /** Why the last request failed, or null after a success. */
  private volatile String failure;
  /** When the next request is due while one is failing. */
  private volatile Instant retryAt;
  private volatile SpiffeId id;
  /** Requests failed in a row; only the scheduler thread (or the constructor) writes it. */
  private int failures;
  private String warnedFailure;
  private Instant warnedAt;

  private WorkloadIdentity(CertificateAuthority ca, IdSource idSource, Duration ttl, Clock clock, Scheduler scheduler,
      Runnable shutdown, DoubleSupplier jitter, WorkloadCredentials initial) {
    this.ca = ca;
    this.idSource = idSource;
    this.ttl = ttl;
    this.clock = clock;
    this.scheduler = scheduler;
    this.shutdown = shutdown;
    this.jitter = jitter;
    this.current = initial;
    this.id = initial == null ? null : initial.id();
  }

  /** An identity that never changes: tests, and standalone sidecars given certificate files. */
  public static WorkloadIdentity fixed(SpiffeId id, PrivateKey key, List<X509Certificate> chain, TrustAnchors bundle) {
    return new WorkloadIdentity(null, null, null, Clock.systemUTC(), null, () -> { }, () -> 0,
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
   * Asks {@code ca} for a first certificate (blocking the caller once, so a healthy mesh starts
   * ready) and keeps it renewed on a daemon thread of its own. When the first request fails the
   * identity starts without a certificate and keeps asking in the background.
   */
  public static WorkloadIdentity renewing(CertificateAuthority ca, SpiffeId id, Duration ttl) {
    return renewing(ca, () -> id, ttl);
  }

  /** As {@link #renewing(CertificateAuthority, SpiffeId, Duration)}, the SPIFFE ID resolved on the first attempt. */
  public static WorkloadIdentity renewing(CertificateAuthority ca, IdSource id, Duration ttl) {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "meshwork-identity");
      t.setDaemon(true);
      return t;
    });
    try {
      return renewing(ca, id, ttl, Clock.systemUTC(),
          (task, delay) -> executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS),
          executor::shutdownNow, () -> ThreadLocalRandom.current().nextDouble());
    } catch (RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
  }

  /** As {@link #renewing(CertificateAuthority, SpiffeId, Duration)} with the clock and scheduler given. */
  public static WorkloadIdentity renewing(CertificateAuthority ca, SpiffeId id, Duration ttl, Clock clock,
      Scheduler scheduler, Runnable shutdown) {
    return renewing(ca, () -> id, ttl, clock, scheduler, shutdown, () -> 0.5);
  }

  /**
   * The renewing identity with everything injected.
   *
   * @param jitter a uniform random number in [0, 1) per retry of a missing certificate
   */
  public static WorkloadIdentity renewing(CertificateAuthority ca, IdSource id, Duration ttl, Clock clock,
      Scheduler scheduler, Runnable shutdown, DoubleSupplier jitter) {
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(id, "id");
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
    }
    WorkloadIdentity identity = new WorkloadIdentity(ca, id, ttl, clock, scheduler, shutdown, jitter, null);
    identity.requestFirst();
    return identity;
  }

  /** The current credentials, or null while the first certificate has not come. */
  public WorkloadCredentials current() {
    return current;
  }

  /** The workload's SPIFFE ID, or null while it is not known yet. */
  public SpiffeId id() {
    return id;
  }

  /**
   * Why the workload has no usable certificate, or empty when it has one (issued and not expired).
   * The reason names the last failure and when the next request goes out.
   */
  public Optional<String> missing() {
    WorkloadCredentials c = current;
    String why = failure;
    Instant now = clock.instant();
    if (c != null && now.isBefore(c.notAfter())) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder(c == null ? "no workload identity" : "workload certificate expired at "
        + c.notAfter());
    if (why != null) {
      out.append(": ").append(why);
    }
    Instant next = retryAt;
    if (next != null && !closed) {
      long seconds = Math.max(0, Duration.between(now, next).toMillis() + 999) / 1000;
      out.append("; retrying in ").append(seconds).append('s');
    }
    return Optional.of(out.toString());
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

  private void requestFirst() {
    if (closed) {
      return;
    }
    try {
      SpiffeId wanted = id != null ? id : idSource.resolve();
      id = wanted;
      WorkloadCredentials first = issue(ca, wanted, ttl, null);
      succeeded(first);
      log.info("workload identity {}: certificate valid until {}", wanted, first.notAfter());
      scheduleRenewal();
      scheduler.schedule(this::pollBundle, BUNDLE_POLL);
    } catch (IOException | RuntimeException e) {
      Duration retry = nextBackoff();
      failed("certificate request failed: " + reason(e), retry);
      scheduler.schedule(this::requestFirst, retry);
    }
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
      succeeded(next);
      log.debug("workload identity {}: renewed, valid until {}", next.id(), next.notAfter());
      scheduleRenewal();
    } catch (IOException | RuntimeException e) {
      Duration left = Duration.between(clock.instant(), old.notAfter());
      // While the certificate is valid, retry at an eighth of what is left; once it has expired the
      // workload is without an identity and backs off as a first request does.
      boolean expired = left.isNegative() || left.isZero();
      Duration retry;
      if (expired) {
        retry = nextBackoff();
      } else {
        failures++;
        retry = clamp(left.dividedBy(8));
      }
      failed("renewal failed: " + reason(e) + (expired ? "" : ", certificate valid for " + left.toSeconds()
          + " s more"), retry);
      scheduler.schedule(this::renew, retry);
    }
  }

  /** The backoff before the next retry of a missing certificate, counting this failure. */
  private Duration nextBackoff() {
    failures++;
    long ceiling = ISSUANCE_BACKOFF.ceilingNanos(failures);
    double r = Math.min(Math.max(jitter.getAsDouble(), 0), 1);
    return Duration.ofNanos(ceiling / 2 + (long) (ceiling / 2 * r));
  }

  /**
   * Records a failure. A new reason (or the first failure after a success) is logged at WARN, at
   * most once per {@link #WARN_INTERVAL}; retries that fail the same way only at DEBUG.
   */
  private void failed(String reason, Duration retry) {
    Instant now = clock.instant();
    failure = reason;
    retryAt = now.plus(retry);
    String subject = id == null ? "workload identity" : "workload identity " + id;
    boolean fresh = !reason.equals(warnedFailure)
        && (warnedAt == null || !now.isBefore(warnedAt.plus(WARN_INTERVAL)));
    if (fresh) {
      warnedFailure = reason;
      warnedAt = now;
      log.warn("{}: {}; retrying in {} ms (attempt {}); further failures like this are logged at debug",
          subject, reason, retry.toMillis(), failures);
    } else {
      log.debug("{}: {}; retrying in {} ms (attempt {})", subject, reason, retry.toMillis(), failures);
    }
  }

  private void succeeded(WorkloadCredentials next) {
    if (failure != null) {
      log.info("workload identity {}: certificate issued after {} failed attempts", next.id(), failures);
    }
    failure = null;
    retryAt = null;
    failures = 0;
    warnedFailure = null;
    warnedAt = null;
    publish(next);
  }

  private static String reason(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
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
