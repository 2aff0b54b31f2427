package io.meshwork.proxy.discovery;

import io.meshwork.model.Diagnostic;
import io.meshwork.model.Resource;
import io.meshwork.proxy.config.LocalService;
import io.meshwork.proxy.config.MeshSnapshot;
import io.meshwork.proxy.config.SnapshotCompiler;
import io.meshwork.proxy.retry.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves snapshots mirrored from the control plane ({@code meshwork sidecar --control-plane URL}).
 *
 * <p>The whole configuration is listed once, then watched from the list's revision, as Kubernetes informers do:
 * every event updates a local copy keyed by kind, namespace and name, and a burst of events is compiled into one
 * snapshot after a short debounce. The snapshot's version is the store revision it reflects.
 *
 * <p>When the control plane goes away the sidecar keeps serving its last snapshot and reconnects with exponential
 * backoff and jitter, resuming the watch from the last revision seen (bookmarks advance it while nothing
 * changes), so no event is lost or applied twice. It lists again instead when the server answers 410 Gone (the
 * revision was compacted) or when the server's revision is behind the one seen (a control plane that lost its
 * data: resuming would silently skip its new history).
 */
public final class ControlPlaneConfigSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlaneConfigSource.class);

  /**
   * Timing knobs.
   *
   * @param debounce how long a batch of events gathers before it is compiled
   * @param backoff reconnection delays: the n-th attempt waits between half and all of its ceiling
   * @param idleTimeout a watch silent this long is taken for dead (the server sends bookmarks far more often)
   */
  public record Timing(Duration debounce, Backoff backoff, Duration idleTimeout) {
    public static final Timing DEFAULT = new Timing(Duration.ofMillis(50),
        new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5)), Duration.ofSeconds(45));

    public Timing {
      if (debounce == null || debounce.isNegative()) {
        throw new IllegalArgumentException("debounce: " + debounce + " (expected: >= 0)");
      }
      Objects.requireNonNull(backoff, "backoff");
      if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
      }
    }
  }

  /**
   * What the source knows, for readiness checks and the admin API.
   *
   * @param connected whether a watch is open
   * @param revision the last revision seen
   * @param relists how many times the state was listed again after the first list
   * @param reconnects how many times a watch was opened again after the first one
   */
  public record SyncState(boolean connected, long revision, int relists, int reconnects) {}

  private enum Link { NEVER_CONNECTED, CONNECTED, LOST }

  private final ControlPlaneClient client;
  private final LocalService local;
  private final SnapshotCompiler compiler;
  private final Consumer<MeshSnapshot> onSnapshot;
  private final Timing timing;
  private final RandomGenerator random;
  private final Object lock = new Object();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final ScheduledExecutorService publisher;

  // Guarded by lock.
  private final Map<ObjectKey, Resource<?>> objects = new TreeMap<>();
  private long revision = -1;
  private boolean publishPending;
  private int relists;
  private int reconnects;
  private Thread thread;

  // Touched by the watch thread only.
  private Link link = Link.NEVER_CONNECTED;
  private volatile EventStream stream;
  private volatile boolean closed;

  public ControlPlaneConfigSource(ControlPlaneClient client, LocalService local, SnapshotCompiler compiler,
      Consumer<MeshSnapshot> onSnapshot) {
    this(client, local, compiler, onSnapshot, Timing.DEFAULT, RandomGenerator.getDefault());
  }

  public ControlPlaneConfigSource(ControlPlaneClient client, LocalService local, SnapshotCompiler compiler,
      Consumer<MeshSnapshot> onSnapshot, Timing timing, RandomGenerator random) {
    this.client = Objects.requireNonNull(client, "client");
    this.local = Objects.requireNonNull(local, "local");
    this.compiler = Objects.requireNonNull(compiler, "compiler");
    this.onSnapshot = Objects.requireNonNull(onSnapshot, "onSnapshot");
    this.timing = Objects.requireNonNull(timing, "timing");
    this.random = Objects.requireNonNull(random, "random");
    this.publisher = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
        .name("meshwork-discovery-publish").unstarted(r));
  }

  /**
   * Lists the configuration and compiles it, retrying while the control plane does not answer.
   *
   * @return the first snapshot (version = the listed revision); it is not passed to the consumer
   * @throws ControlPlaneException when the control plane did not answer within {@code timeout}, or refused
   */
  public MeshSnapshot loadInitial(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int attempt = 0;
    while (true) {
      try {
        ResourceList list = client.snapshot();
        synchronized (lock) {
          replaceAll(list);
          return compiler.compile(revision, List.copyOf(objects.values()), local);
        }
      } catch (ControlPlaneException e) {
        if (!e.unreachable() && e.status() < 500) {
          throw e;
        }
        long wait = delayNanos(++attempt);
        if (System.nanoTime() + wait > deadline || closed) {
          throw ControlPlaneException.unreachable(client.base(), "no answer within " + timeout.toMillis()
              + " ms (last error: " + e.getMessage() + ")", e);
        }
        if (await(wait)) {
          throw ControlPlaneException.unreachable(client.base(), "closed while waiting", e);
        }
      }
    }
  }

  /** Starts watching from the revision {@link #loadInitial} listed; changes reach the consumer from then on. */
  public void start() {
    synchronized (lock) {
      if (thread != null) {
        throw new IllegalStateException("already started");
      }
      if (revision < 0) {
        throw new IllegalStateException("loadInitial() must succeed before start()");
      }
      link = Link.CONNECTED;
      thread = Thread.ofPlatform().daemon().name("meshwork-discovery-watch").start(this::run);
    }
    long check = Math.max(1, timing.idleTimeout().toMillis() / 4);
    publisher.scheduleWithFixedDelay(this::closeIfIdle, check, check, TimeUnit.MILLISECONDS);
  }

  /** The objects currently mirrored, in key order. */
  public List<Resource<?>> resources() {
    synchronized (lock) {
      return List.copyOf(objects.values());
    }
  }

  public SyncState state() {
    synchronized (lock) {
      return new SyncState(stream != null && !closed, revision, relists, reconnects);
    }
  }

  private void run() {
    boolean relist = false;
    boolean resumed = false;
    int failures = 0;
    while (!closed) {
      boolean failed = false;
      try {
        if (relist || (resumed && revisionWentBack())) {
          relist();
        }
        relist = false;
        long from = currentRevision();
        try (EventStream events = client.watchSnapshot(from)) {
          stream = events;
          if (closed) {
            return;
          }
          connected(resumed, from);
          failures = 0;
          resumed = true;
          relist = consume(events);
        } finally {
          stream = null;
        }
        if (!relist) {
          failed = true;
          lost("the watch ended");
        }
      } catch (ControlPlaneException e) {
        if (e.gone()) {
          relist = true;
        } else {
          failed = true;
          lost(e.getMessage());
        }
      } catch (IOException e) {
        failed = true;
        lost("watch failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      } catch (RuntimeException e) {
        // A bug in handling one event must not end the watch; the running snapshot stays.
        failed = true;
        log.error("watching the control plane at {} failed; reconnecting", client.base(), e);
        link = Link.LOST;
      }
      if (failed && !closed) {
        resumed = true;
        if (await(delayNanos(++failures))) {
          return;
        }
      }
    }
  }

  /** Applies events until the stream ends; true when the server said the revision is gone and a relist is due. */
  private boolean consume(EventStream events) throws IOException {
    WatchEvent event;
    while ((event = events.next()) != null) {
      switch (event) {
        case WatchEvent.Put p -> update(p.revision(), objects -> objects.put(p.key(), p.resource()));
        case WatchEvent.Deleted d -> update(d.revision(), objects -> objects.remove(d.key()));
        case WatchEvent.Unreadable u -> {
          u.problems().forEach(d -> log.warn("ignoring {}: {}", u.key(), d.format()));
          update(u.revision(), objects -> objects.remove(u.key()));
        }
        case WatchEvent.Bookmark b -> {
          synchronized (lock) {
            revision = Math.max(revision, b.revision());
          }
        }
        case WatchEvent.Failed f -> {
          if (f.code() == 410) {
            log.info("control plane at {} compacted revision {}; listing again", client.base(), currentRevision());
            return true;
          }
          throw new IOException("the server ended the watch: " + f.code() + " " + f.message());
        }
      }
    }
    return false;
  }

  private void update(long eventRevision, Consumer<Map<ObjectKey, Resource<?>>> change) {
    synchronized (lock) {
      change.accept(objects);
      revision = Math.max(revision, eventRevision);
      if (!publishPending && !closed) {
        publishPending = true;
        publisher.schedule(this::publish, timing.debounce().toNanos(), TimeUnit.NANOSECONDS);
      }
    }
  }

  private void publish() {
    List<Resource<?>> items;
    long version;
    synchronized (lock) {
      publishPending = false;
      if (closed) {
        return;
      }
      items = List.copyOf(objects.values());
      version = revision;
    }
    try {
      MeshSnapshot snapshot = compiler.compile(version, items, local);
      log.debug("configuration at revision {} compiled ({} resources)", version, items.size());
      onSnapshot.accept(snapshot);
    } catch (RuntimeException e) {
      log.error("compiling revision {} failed; keeping the running configuration", version, e);
    }
  }

  private void relist() {
    ResourceList list = client.snapshot();
    synchronized (lock) {
      relists++;
      Map<ObjectKey, Resource<?>> before = new TreeMap<>(objects);
      replaceAll(list);
      log.info("listed the configuration of {} again at revision {} ({} objects)", client.base(), revision,
          objects.size());
      if (!before.equals(objects) && !publishPending && !closed) {
        publishPending = true;
        publisher.execute(this::publish);
      }
    }
  }

  /** Guarded by lock. */
  private void replaceAll(ResourceList list) {
    objects.clear();
    for (Resource<?> r : list.items()) {
      objects.put(ObjectKey.of(r), r);
    }
    for (Diagnostic d : list.skipped()) {
      log.warn("ignoring {}", d.format());
    }
    revision = list.revision();
  }

  private boolean revisionWentBack() {
    long seen = currentRevision();
    long now = client.currentRevision();
    if (now < seen) {
      log.warn("control plane at {} is at revision {}, behind the {} this sidecar saw (its data was reset?);"
          + " listing again", client.base(), now, seen);
      return true;
    }
    return false;
  }

  private long currentRevision() {
    synchronized (lock) {
      return revision;
    }
  }

  private void connected(boolean resumed, long from) {
    if (resumed) {
      synchronized (lock) {
        reconnects++;
      }
    }
    if (link == Link.LOST) {
      log.info("control plane at {} is back; resumed watching from revision {}", client.base(), from);
    } else if (!resumed) {
      log.info("watching the control plane at {} from revision {}", client.base(), from);
    }
    link = Link.CONNECTED;
  }

  /** Logs the first failure after a connection, not every retry while the control plane stays away. */
  private void lost(String why) {
    if (closed) {
      return;
    }
    if (link != Link.LOST) {
      log.warn("lost the control plane at {} ({}); serving revision {} and reconnecting", client.base(), why,
          currentRevision());
    } else {
      log.debug("control plane at {} still unreachable: {}", client.base(), why);
    }
    link = Link.LOST;
  }

  private void closeIfIdle() {
    EventStream s = stream;
    if (s != null && System.nanoTime() - s.lastActivityNanos() > timing.idleTimeout().toNanos()) {
      log.info("watch of {} silent for {} ms; reconnecting", client.base(), timing.idleTimeout().toMillis());
      s.close();
    }
  }

  /** The reconnection delay for attempt {@code n}: between half and all of the backoff ceiling. */
  private long delayNanos(int attempt) {
    long ceiling = timing.backoff().ceilingNanos(attempt);
    return ceiling / 2 + (long) (random.nextDouble() * (ceiling / 2.0));
  }

  /** Waits {@code nanos}; true when the source was closed meanwhile. */
  private boolean await(long nanos) {
    try {
      return closing.await(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      // Under the lock, so no event handled after this schedules work on the stopped publisher.
      closed = true;
    }
    closing.countDown();
    EventStream s = stream;
    if (s != null) {
      s.close();
    }
    publisher.shutdownNow();
    Thread t;
    synchronized (lock) {
      t = thread;
    }
    if (t != null) {
      // Wakes a thread still waiting for a watch's response head (HttpClient.send cancels on interrupt).
      t.interrupt();
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
