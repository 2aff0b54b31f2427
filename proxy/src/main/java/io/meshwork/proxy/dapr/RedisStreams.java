package io.meshwork.proxy.dapr;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code pubsub.redis}: a topic is a Redis stream of that name, an event one entry with its bytes in the
 * field {@code data} (as Dapr writes it), and an app's subscription a consumer group named by
 * {@code consumerID} (the app id by default). A publish answers once Redis has the entry; an entry is
 * acknowledged ({@code XACK}) only after the app has taken or dropped it, so the ones a sidecar had not
 * finished when it stopped are read again ({@code XREADGROUP ... 0}) when it starts.
 *
 * <p>Everything runs on Lettuce's threads through its asynchronous API; each subscription reads with
 * {@code BLOCK} on a connection of its own.
 */
final class RedisStreams implements AutoCloseable {
  private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
  private static final String DATA = "data";
  /** Present only on a raw entry: its content type. */
  private static final String CONTENT_TYPE = "contenttype";
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** Where a consumer hands what it reads; {@code room} says how many more entries it takes now. */
  interface Sink {
    int room();

    void accept(Message message, Runnable ack);
  }

  /** Runs a task after a delay (the pub/sub's timer). */
  interface Timer {
    void after(Duration delay, Runnable task);
  }

  private final String name;
  private final String address;
  private final RedisClient client;
  private final RedisURI uri;
  private final Duration timeout;
  private final String group;
  private final long maxLen;
  private final Timer timer;
  private final List<CompletableFuture<StatefulRedisConnection<String, byte[]>>> consumers = new CopyOnWriteArrayList<>();
  private volatile CompletableFuture<StatefulRedisConnection<String, byte[]>> connection;
  private volatile boolean closed;

  /**
   * @param group the consumer group (and consumer) name
   * @param maxLen trims each stream to about this many entries; 0 keeps them all
   */
  RedisStreams(String name, ClientResources resources, RedisURI uri, Duration dialTimeout, Duration timeout,
      String group, long maxLen, Timer timer) {
    this.name = name;
    this.address = uri.getHost() + ":" + uri.getPort();
    this.uri = uri;
    this.timeout = timeout;
    this.group = group;
    this.maxLen = maxLen;
    this.timer = timer;
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .autoReconnect(true)
        .socketOptions(SocketOptions.builder().connectTimeout(dialTimeout).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout.plus(blockFor())))
        .build());
  }

  private Duration blockFor() {
    return Duration.ofSeconds(1);
  }

  /** Adds every message to the stream {@code topic}; completes when Redis has them all. */
  CompletableFuture<Void> add(String topic, List<Message> messages) {
    return connection().thenCompose(c -> {
      List<CompletableFuture<String>> adds = new ArrayList<>(messages.size());
      for (Message m : messages) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        fields.put(DATA, m.body());
        if (m.raw()) {
          fields.put(CONTENT_TYPE, m.contentType().getBytes(StandardCharsets.UTF_8));
        }
        XAddArgs args = maxLen > 0 ? new XAddArgs().maxlen(maxLen).approximateTrimming() : new XAddArgs();
        adds.add(c.async().xadd(topic, args, fields).toCompletableFuture());
      }
      return CompletableFuture.allOf(adds.toArray(CompletableFuture[]::new));
    }).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> CompletableFuture.failedFuture(
        new StateFailure(StateFailure.Reason.UNAVAILABLE, "Redis at " + address + " did not take the event: " + describe(e))));
  }

  /** Reads {@code topic} for the group until closed: first the entries it had not acknowledged, then new ones. */
  void consume(String topic, Sink sink) {
    CompletableFuture<StatefulRedisConnection<String, byte[]>> own = client.connectAsync(CODEC, uri).toCompletableFuture();
    consumers.add(own);
    own.whenComplete((c, e) -> {
      if (e != null) {
        consumers.remove(own);
        retry(() -> consume(topic, sink), Duration.ofMillis(200));
        return;
      }
      createGroup(c, topic).whenComplete((ok, failure) -> read(c, topic, sink, "0", Duration.ofMillis(100)));
    });
  }

  private CompletableFuture<String> createGroup(StatefulRedisConnection<String, byte[]> c, String topic) {
    return c.async().xgroupCreate(XReadArgs.StreamOffset.from(topic, "0"), group, XGroupCreateArgs.Builder.mkstream())
        .toCompletableFuture();
  }

  private void read(StatefulRedisConnection<String, byte[]> c, String topic, Sink sink, String from, Duration backoff) {
    if (closed) {
      return;
    }
    int room = sink.room();
    if (room <= 0) {
      timer.after(Duration.ofMillis(50), () -> read(c, topic, sink, from, backoff));
      return;
    }
    XReadArgs args = XReadArgs.Builder.block(from.equals("0") ? Duration.ZERO : blockFor()).count(room);
    if (from.equals("0")) {
      // A read of the pending entries never blocks; BLOCK 0 would block forever on new ones.
      args = XReadArgs.Builder.count(room);
    }
    c.async().xreadgroup(Consumer.from(group, group), args, XReadArgs.StreamOffset.from(topic, from))
        .whenComplete((entries, failure) -> {
          if (closed) {
            return;
          }
          if (failure != null) {
            String message = describe(failure);
            if (message.startsWith("NOGROUP")) {
              createGroup(c, topic).whenComplete((ok, e) -> read(c, topic, sink, from, backoff));
              return;
            }
            Duration next = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            timer.after(backoff, () -> read(c, topic, sink, from, next));
            return;
          }
          for (StreamMessage<String, byte[]> entry : entries) {
            Map<String, byte[]> body = entry.getBody();
            byte[] data = body.getOrDefault(DATA, new byte[0]);
            byte[] type = body.get(CONTENT_TYPE);
            Message m = type == null ? new Message(data, CloudEvents.CONTENT_TYPE, false)
                : new Message(data, new String(type, StandardCharsets.UTF_8), true);
            String id = entry.getId();
            sink.accept(m, () -> ack(topic, id));
          }
          // Pending entries come first; once none are left, read what is new.
          String next = from.equals("0") && entries.size() < room ? ">" : from;
          read(c, topic, sink, next, Duration.ofMillis(100));
        });
  }

  private void ack(String topic, String id) {
    connection().thenCompose(c -> c.async().xack(topic, group, id).toCompletableFuture()).whenComplete((n, e) -> {
      if (e != null && !closed) {
        // Not acknowledged: the entry stays pending and is read again when the sidecar restarts.
        timer.after(Duration.ofSeconds(1), () -> ack(topic, id));
      }
    });
  }

  private void retry(Runnable task, Duration after) {
    if (!closed) {
      timer.after(after, task);
    }
  }

  private CompletableFuture<StatefulRedisConnection<String, byte[]>> connection() {
    CompletableFuture<StatefulRedisConnection<String, byte[]>> current = connection;
    if (current != null && !current.isCompletedExceptionally()) {
      return current;
    }
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new StateFailure(StateFailure.Reason.UNAVAILABLE,
            "pubsub " + name + " is closed"));
      }
      if (connection == null || connection.isCompletedExceptionally()) {
        connection = client.connectAsync(CODEC, uri).toCompletableFuture();
      }
      return connection;
    }
  }

  static String describe(Throwable e) {
    Throwable root = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (root instanceof java.util.concurrent.TimeoutException) {
      return "timed out";
    }
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return m.lines().findFirst().orElse(m);
  }

  @Override
  public void close() {
    List<CompletableFuture<StatefulRedisConnection<String, byte[]>>> all = new ArrayList<>(consumers);
    synchronized (this) {
      closed = true;
      if (connection != null) {
        all.add(connection);
      }
    }
    all.forEach(f -> f.thenAccept(StatefulRedisConnection::closeAsync));
    client.shutdownAsync(0, 2, TimeUnit.SECONDS);
  }
}
