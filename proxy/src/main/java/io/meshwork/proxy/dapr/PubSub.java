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
import java.util.function.Supplier;
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

  private final String appId;
  private final URI app;
  private final Supplier<DaprComponents> components;
  private final ScheduledExecutorService timer;
  private final ExecutorService workers;
  private final HttpClient http;
  private volatile List<Topic> topics = List.of();
  private volatile boolean closed;

  /** The queue of one subscription. */
  private static final class Topic {
    final Subscription subscription;
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    int inFlight;
    int pending;

    Topic(Subscription subscription) {
      this.subscription = subscription;
    }
  }

  private record Pending(Message message, int failedAttempts) {}

  /**
   * @param app the app's base URL, or null when the sidecar has no app (nothing is subscribed then)
   */
  public PubSub(String appId, URI app, Supplier<DaprComponents> components) {
    this.appId = appId;
    this.app = app;
    this.components = components;
    this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("dapr-pubsub-timer").factory());
    this.workers = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("dapr-pubsub-", 0).factory());
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(workers)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Starts reading the app's subscriptions; retried with a backoff until the app answers. */
  public void start() {
    if (app != null) {
      timer.execute(() -> load(Duration.ofMillis(100)));
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
    http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
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
        log.info("app {}: {} topic subscription(s)", appId, loaded.size());
      } catch (StateRequests.Malformed e) {
        log.warn("app {}: GET /dapr/subscribe: {}; read again in {}", appId, e.getMessage(), MAX_LOAD_BACKOFF);
        schedule(() -> load(MAX_LOAD_BACKOFF), MAX_LOAD_BACKOFF);
      }
    });
  }

  /**
   * Hands {@code messages} to every subscription of {@code topic} on the component {@code pubsub}, all or
   * none: the future fails with a {@link StateFailure} ({@code BUSY}) when a subscription is full.
   */
  CompletableFuture<Void> publish(String pubsub, String topic, List<Message> messages) {
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
          t.waiting.add(new Pending(m, 0));
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
    http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) ->
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
              t.waiting.add(new Pending(p.message(), failed));
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
      publish(s.pubsub(), s.deadLetterTopic(), List.of(p.message())).exceptionally(e -> {
        log.warn("app {}: dead-letter topic {}: {}", appId, s.deadLetterTopic(), e.getMessage());
        return null;
      });
    }
    run(() -> pump(t));
  }

  private void run(Runnable r) {
    try {
      workers.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closing: what is undelivered is lost, as the class says.
    }
  }

  private void schedule(Runnable r, Duration after) {
    if (!closed) {
      try {
        timer.schedule(r, after.toMillis(), TimeUnit.MILLISECONDS);
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
    closed = true;
    timer.shutdownNow();
    workers.shutdownNow();
    http.shutdownNow();
  }
}
