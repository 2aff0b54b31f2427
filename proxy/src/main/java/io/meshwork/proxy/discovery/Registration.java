package io.meshwork.proxy.discovery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the local app registered with the control plane while it is healthy.
 *
 * <p>Each tick probes the app; the first healthy probe registers it (a WorkloadEntry under a lease), the lease is
 * renewed every third of its TTL, and a renewal answered 404 (the lease lapsed while the control plane was away)
 * registers again. After {@value #FAILURES_TO_WITHDRAW} failed probes in a row the registration is withdrawn so that
 * peers stop sending traffic to a dead app, and it comes back when the app answers again. {@link #close()}
 * deregisters at once instead of waiting for the lease to lapse. Problems are logged when the state changes, not on
 * every tick.
 */
public final class Registration implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Registration.class);

  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);
  static final int FAILURES_TO_WITHDRAW = 2;

  /** Where the registration stands. */
  public enum State {
    /** Not yet registered: the app has not answered or the control plane could not be reached. */
    PENDING,
    REGISTERED,
    /** Withdrawn because the app stopped answering; registers again when it answers. */
    WITHDRAWN,
    CLOSED
  }

  private final ControlPlaneClient client;
  private final Workload workload;
  private final AppProbe probe;
  private final Clock clock;
  private final Duration tick;
  private ScheduledExecutorService scheduler;

  // Guarded by this.
  private State state = State.PENDING;
  private Lease lease;
  private Instant renewAt = Instant.MIN;
  private int failedProbes;
  private boolean controlPlaneTrouble;

  /**
   * A registration driven by {@link #tick()}; {@link #start()} ticks it on a thread of its own.
   *
   * @param clock decides when renewals are due
   * @param probeInterval how often the app is probed; ticks come at most this far apart, and at most a third of
   *     the TTL apart so that a renewal is never late
   */
  public Registration(ControlPlaneClient client, Workload workload, AppProbe probe, Clock clock,
      Duration probeInterval) {
    this.client = Objects.requireNonNull(client, "client");
    this.workload = Objects.requireNonNull(workload, "workload");
    this.probe = Objects.requireNonNull(probe, "probe");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (probeInterval == null || probeInterval.isNegative() || probeInterval.isZero()) {
      throw new IllegalArgumentException("probeInterval: " + probeInterval + " (expected: > 0)");
    }
    Duration third = workload.ttl().dividedBy(3);
    this.tick = probeInterval.compareTo(third) < 0 ? probeInterval : third;
  }

  /** Registers {@code workload} and keeps it registered until closed; the first attempt runs at once. */
  public static Registration start(ControlPlaneClient client, Workload workload, AppProbe probe) {
    Registration r = new Registration(client, workload, probe, Clock.systemUTC(), DEFAULT_PROBE_INTERVAL);
    r.start();
    return r;
  }

  public synchronized void start() {
    if (scheduler != null) {
      throw new IllegalStateException("already started");
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
        .name("meshwork-registration-" + workload.service()).unstarted(r));
    scheduler.scheduleWithFixedDelay(this::tickQuietly, 0, tick.toNanos(), TimeUnit.NANOSECONDS);
  }

  public Workload workload() {
    return workload;
  }

  public synchronized State state() {
    return state;
  }

  /** The lease held now, if registered. */
  public synchronized Optional<Lease> lease() {
    return state == State.REGISTERED ? Optional.ofNullable(lease) : Optional.empty();
  }

  /** One step: probe the app, then register, renew or withdraw as due. */
  public synchronized void tick() {
    if (state == State.CLOSED) {
      return;
    }
    boolean up = probe.isUp();
    failedProbes = up ? 0 : failedProbes + 1;
    Instant now = clock.instant();
    switch (state) {
      case PENDING, WITHDRAWN -> {
        if (up) {
          register(now);
        }
      }
      case REGISTERED -> {
        if (failedProbes >= FAILURES_TO_WITHDRAW) {
          withdraw();
        } else if (!now.isBefore(renewAt)) {
          renew(now);
        }
      }
      case CLOSED -> {
        // Unreachable: checked above.
      }
    }
  }

  private void tickQuietly() {
    try {
      tick();
    } catch (RuntimeException e) {
      // The scheduler would stop ticking on an exception; the next tick tries again.
      log.error("registration of {} failed a step", workload.service(), e);
    }
  }

  private void register(Instant now) {
    State before = state;
    try {
      lease = client.register(workload);
    } catch (ControlPlaneException e) {
      trouble("cannot register " + workload.service() + " yet", e);
      return;
    }
    state = State.REGISTERED;
    renewAt = now.plus(workload.ttl().dividedBy(3));
    controlPlaneTrouble = false;
    log.info("{} {} as {} at {}:{} (ttl {} s)", before == State.WITHDRAWN ? "app answers again; registered"
        : "registered", workload.service(), lease.name(), workload.address(), workload.port(), lease.ttlSeconds());
  }

  private void renew(Instant now) {
    Optional<Lease> renewed;
    try {
      renewed = client.keepAlive(workload.namespace(), lease.name());
    } catch (ControlPlaneException e) {
      // Keep trying each tick; if the lease lapses meanwhile the control plane answers 404 and we register again.
      trouble("cannot renew the registration of " + workload.service(), e);
      return;
    }
    if (renewed.isEmpty()) {
      log.info("registration {} lapsed at the control plane; registering again", lease.name());
      register(now);
      return;
    }
    if (controlPlaneTrouble) {
      log.info("renewed the registration of {} again", workload.service());
      controlPlaneTrouble = false;
    }
    renewAt = now.plus(workload.ttl().dividedBy(3));
  }

  private void withdraw() {
    log.warn("app of {} at {}:{} failed {} probes in a row; withdrawing its registration until it answers",
        workload.service(), workload.address(), workload.port(), failedProbes);
    state = State.WITHDRAWN;
    deregisterQuietly();
  }

  private void deregisterQuietly() {
    try {
      client.deregister(workload.namespace(), lease.name());
    } catch (ControlPlaneException e) {
      // The lease lapses on its own within its TTL.
      log.debug("deregistering {} failed: {}", lease.name(), e.getMessage());
    }
  }

  private void trouble(String what, ControlPlaneException e) {
    if (!controlPlaneTrouble) {
      log.warn("{}: {}; retrying", what, e.getMessage());
      controlPlaneTrouble = true;
    } else {
      log.debug("{}: {}", what, e.getMessage());
    }
  }

  /** Stops renewing and deregisters at once, so peers stop routing here without waiting for the TTL. */
  @Override
  public void close() {
    ScheduledExecutorService s;
    synchronized (this) {
      s = scheduler;
    }
    if (s != null) {
      s.shutdown();
      try {
        s.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (state == State.REGISTERED) {
        deregisterQuietly();
        log.info("deregistered {}", lease.name());
      }
      state = State.CLOSED;
    }
  }
}
