package io.meshwork.proxy.dapr;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.codec.ModelMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.meshwork.model.Resource;
import io.meshwork.model.dapr.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dapr pub/sub of one sidecar with {@code pubsub.in-memory} topics: what the app publishes goes to the
 * subscriptions the app declared ({@code GET /dapr/subscribe}, read once the app answers) and is delivered
 * to it over HTTP with Dapr's SUCCESS/RETRY/DROP semantics, redelivered with a doubling backoff, and sent
 * to the subscription's dead-letter topic after {@link Delivery#ATTEMPTS_BEFORE_DEAD_LETTER} failed
 * deliveries. Topics live in this sidecar's memory: publisher and subscriber are the same app, and what is
 * not delivered when the sidecar stops is lost (as with Dapr's in-memory component).
 *
 * <p>Deliveries and their timers run on this class's own threads, never on the sidecar's event loops.
 */
public final class PubSub implements AutoCloseable {
  /** Events a subscription holds (waiting, in flight or waiting to be redelivered) before publishing is refused. */
  static final int MAX_PENDING = 10_000;
  static final int MAX_IN_FLIGHT = 16;
  private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration MAX_LOAD_BACKOFF = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(PubSub.class);
  private static final String REDIS = "pubsub.redis";

  private final String appId;
  private final URI app;
  private final Supplier<DaprComponents> components;
  private Threads threads;
  private volatile List<Topic> topics = List.of();
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean();
  /** The last reason the app's subscriptions were refused: logged once, not on every read. */
  private volatile String lastRefusal;

  /** The queue of one subscription. */
  private static final class Topic {
    final Subscription subscription;
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    int inFlight;
    int pending;
    /** The pubsub.redis streams this subscription reads from; null for pubsub.in-memory or none yet. */
    RedisStreams consumedFrom;

    Topic(Subscription subscription) {
      this.subscription = subscription;
    }
  }

  /** @param ack called once the event is done with: taken, dropped or dead-lettered */
  private record Pending(Message message, int failedAttempts, Runnable ack) {}

  private record OpenStreams(Resource<Component> component, RedisStreams streams) {}

  private static final Runnable NO_ACK = () -> {};
  private final Map<String, OpenStreams> redis = new ConcurrentHashMap<>();
  private ClientResources redisResources;

  /**
   * @param app the app's base URL, or null when the sidecar has no app (nothing is subscribed then)
   */
  public PubSub(String appId, URI app, Supplier<DaprComponents> components) {
    this.appId = appId;
    this.app = app;
    this.components = components;
  }

  /** The timer, the delivery threads and the HTTP client to the app: made when pub/sub is first used. */
  private record Threads(ScheduledExecutorService timer, ExecutorService workers, HttpClient http) {}

  private synchronized Threads threads() {
    if (threads == null) {
      if (closed) {
        throw new java.util.concurrent.RejectedExecutionException("pub/sub is closed");
      }
      ExecutorService workers = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("dapr-pubsub-", 0).factory());
      threads = new Threads(
          Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("dapr-pubsub-timer").factory()),
          workers, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(workers)
              .connectTimeout(Duration.ofSeconds(5)).build());
    }
    return threads;
  }

  /**
   * Starts reading the app's subscriptions (retried with a backoff until the app answers), once the app has
   * a pub/sub component in scope: an app without one is never asked for {@code /dapr/subscribe}.
   */
  public void start() {
    start(components.get());
  }

  private void start(DaprComponents current) {
    if (app != null && !current.pubSubs().isEmpty() && !closed && loading.compareAndSet(false, true)) {
      try {
        threads().timer().execute(() -> load(Duration.ofMillis(100)));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Closed meanwhile.
      }
    }
  }

  /** The subscriptions read from the app (empty until it has answered). */
  List<Subscription> subscriptions() {
    return topics.stream().map(t -> t.subscription).toList();
  }

  private void load(Duration backoff) {
    if (closed) {
      return;
    }
    HttpRequest request = HttpRequest.newBuilder(app.resolve("/dapr/subscribe")).timeout(Duration.ofSeconds(5))
        .header("Accept", "application/json").GET().build();
    threads().http().sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
      Duration next = backoff.multipliedBy(2).compareTo(MAX_LOAD_BACKOFF) > 0 ? MAX_LOAD_BACKOFF : backoff.multipliedBy(2);
      if (failure != null || response.statusCode() >= 500) {
        schedule(() -> load(next), backoff);
        return;
      }
      if (response.statusCode() != 200) {
        // Dapr reads a 404 (and any other refusal) as "no subscriptions".
        return;
      }
      try {
        List<Topic> loaded = new ArrayList<>();
        for (Subscription s : Subscription.parseList(response.body())) {
          loaded.add(new Topic(s));
        }
        topics = List.copyOf(loaded);
        consumeStreams();
        log.info("app {}: {} topic subscription(s)", appId, loaded.size());
      } catch (StateRequests.Malformed e) {
        if (!e.getMessage().equals(lastRefusal)) {
          lastRefusal = e.getMessage();
          log.warn("app {}: GET /dapr/subscribe refused: {}; read again every {}", appId, e.getMessage(),
              MAX_LOAD_BACKOFF);
        }
        schedule(() -> load(MAX_LOAD_BACKOFF), MAX_LOAD_BACKOFF);
      }
    });
  }

  /**
   * Hands {@code messages} to every subscription of {@code topic} on the component {@code pubsub}, all or
   * none: the future fails with a {@link StateFailure} ({@code BUSY}) when a subscription is full.
   */
  CompletableFuture<Void> publish(String pubsub, String topic, List<Message> messages) {
    Resource<Component> component = components.get().pubSubs().get(pubsub);
    if (component != null && component.spec().type().equals(REDIS)) {
      return streams(component).add(topic, messages);
    }
    List<Topic> targets = new ArrayList<>();
    for (Topic t : topics) {
      if (t.subscription.pubsub().equals(pubsub) && t.subscription.topic().equals(topic)) {
        targets.add(t);
      }
    }
    for (Topic t : targets) {
      synchronized (t) {
        if (t.pending + messages.size() > MAX_PENDING) {
          return CompletableFuture.failedFuture(new StateFailure(StateFailure.Reason.BUSY,
              "the subscription of topic " + topic + " holds " + t.pending + " undelivered events (at most " + MAX_PENDING + ")"));
        }
      }
    }
    for (Topic t : targets) {
      synchronized (t) {
        for (Message m : messages) {
          t.waiting.add(new Pending(m, 0, NO_ACK));
          t.pending++;
        }
      }
      run(() -> pump(t));
    }
    return CompletableFuture.completedFuture(null);
  }

  private void pump(Topic t) {
    while (!closed) {
      Pending next;
      synchronized (t) {
        if (t.inFlight >= MAX_IN_FLIGHT || t.waiting.isEmpty()) {
          return;
        }
        next = t.waiting.poll();
        t.inFlight++;
      }
      deliver(t, next);
    }
  }

  private void deliver(Topic t, Pending p) {
    Subscription s = t.subscription;
    Message m = p.message();
    byte[] body;
    String contentType;
    JsonNode event = null;
    if (s.rawPayload()) {
      body = m.body();
      contentType = m.raw() ? m.contentType() : CloudEvents.CONTENT_TYPE;
    } else if (m.raw()) {
      body = CloudEvents.wrapRaw(m, appId, s.pubsub(), s.topic(), Instant.now()).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      contentType = CloudEvents.CONTENT_TYPE;
    } else {
      body = m.body();
      contentType = CloudEvents.CONTENT_TYPE;
      if (!s.rules().isEmpty()) {
        try {
          event = ModelMapper.json().readTree(body);
        } catch (IOException e) {
          event = null;
        }
      }
    }
    String path = s.pathFor(event);
    if (path == null) {
      settle(t, p, Delivery.DROP);
      return;
    }
    HttpRequest request = HttpRequest.newBuilder(app.resolve(path)).timeout(DELIVERY_TIMEOUT)
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    threads().http().sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) ->
        settle(t, p, failure != null ? Delivery.RETRY : Delivery.of(response.statusCode(), response.body())));
  }

  private void settle(Topic t, Pending p, Delivery outcome) {
    Subscription s = t.subscription;
    boolean deadLetter = false;
    synchronized (t) {
      t.inFlight--;
      if (outcome == Delivery.RETRY) {
        int failed = p.failedAttempts() + 1;
        if (s.deadLetterTopic() != null && failed >= Delivery.ATTEMPTS_BEFORE_DEAD_LETTER) {
          t.pending--;
          deadLetter = true;
        } else {
          schedule(() -> {
            synchronized (t) {
              t.waiting.add(new Pending(p.message(), failed, p.ack()));
            }
            pump(t);
          }, Delivery.backoff(failed));
        }
      } else {
        t.pending--;
      }
    }
    if (outcome == Delivery.DROP) {
      log.debug("app {}: an event of topic {} was dropped", appId, s.topic());
    }
    if (deadLetter) {
      publish(s.pubsub(), s.deadLetterTopic(), List.of(p.message())).whenComplete((ok, e) -> {
        if (e == null) {
          p.ack().run();
          return;
        }
        // Not lost: kept, and dead-lettered again after the longest backoff.
        log.warn("app {}: dead-letter topic {}: {}", appId, s.deadLetterTopic(), RedisStreams.describe(e));
        synchronized (t) {
          t.pending++;
        }
        schedule(() -> settle(t, inFlight(t, p), Delivery.RETRY), Delivery.backoff(Integer.MAX_VALUE));
      });
    } else if (outcome != Delivery.RETRY) {
      p.ack().run();
    }
    run(() -> pump(t));
  }

  /** Counts {@code p} as in flight again, so that settling it keeps the counts right. */
  private static Pending inFlight(Topic t, Pending p) {
    synchronized (t) {
      t.inFlight++;
      t.pending--;
    }
    return p;
  }

  /** Starts reading the pubsub.redis streams of the subscriptions that do not read theirs yet. */
  private void consumeStreams() {
    DaprComponents current = components.get();
    for (Topic t : topics) {
      Resource<Component> component = current.pubSubs().get(t.subscription.pubsub());
      if (component == null || !component.spec().type().equals(REDIS)) {
        continue;
      }
      RedisStreams streams = streams(component);
      synchronized (t) {
        if (t.consumedFrom == streams) {
          continue;
        }
        t.consumedFrom = streams;
      }
      streams.consume(t.subscription.topic(), new RedisStreams.Sink() {
        @Override
        public int room() {
          synchronized (t) {
            return t.consumedFrom == streams ? MAX_IN_FLIGHT * 4 - t.pending : 0;
          }
        }

        @Override
        public void accept(Message message, Runnable ack) {
          synchronized (t) {
            t.waiting.add(new Pending(message, 0, ack));
            t.pending++;
          }
          run(() -> pump(t));
        }
      });
    }
  }

  private RedisStreams streams(Resource<Component> component) {
    OpenStreams open = redis.compute(component.name(), (name, existing) -> {
      if (existing != null && existing.component().equals(component)) {
        return existing;
      }
      if (existing != null) {
        existing.streams().close();
      }
      Component c = component.spec();
      RedisURI uri = StateStores.redisUri(c);
      return new OpenStreams(component, new RedisStreams(component.name(), redisResources(), uri,
          StateStores.duration(c, "dialTimeout", Duration.ofSeconds(5)),
          StateStores.duration(c, "readTimeout", Duration.ofSeconds(3)), c.value("consumerID").orElse(appId),
          c.value("maxLenApprox").map(Long::parseLong).orElse(0L), this::schedule));
    });
    return open.streams();
  }

  private synchronized ClientResources redisResources() {
    if (redisResources == null) {
      redisResources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
    }
    return redisResources;
  }

  /** Closes the streams of pubsub.redis components that are gone or changed, and reads the current ones. */
  void retain(DaprComponents current) {
    redis.forEach((name, open) -> {
      if (!open.component().equals(current.pubSubs().get(name)) && redis.remove(name, open)) {
        open.streams().close();
      }
    });
    if (!closed) {
      start(current);
      run(this::consumeStreams);
    }
  }

  private void run(Runnable r) {
    try {
      threads().workers().execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closing: what is undelivered is lost, as the class says.
    }
  }

  private void schedule(Duration after, Runnable r) {
    schedule(r, after);
  }

  private void schedule(Runnable r, Duration after) {
    if (!closed) {
      try {
        threads().timer().schedule(r, after.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Closing.
      }
    }
  }

  /** Whether {@code name} is a pub/sub component in scope. */
  boolean has(String name) {
    return components.get().pubSubs().containsKey(name);
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    redis.values().forEach(o -> o.streams().close());
    redis.clear();
    synchronized (this) {
      if (redisResources != null) {
        redisResources.shutdown(0, 2, TimeUnit.SECONDS);
      }
    }
    synchronized (this) {
      if (threads != null) {
        threads.timer().shutdownNow();
        threads.workers().shutdownNow();
        threads.http().shutdownNow();
      }
    }
  }
}
