package io.meshwork.proxy.dapr;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code state.redis} through Lettuce's asynchronous API. Items are stored as Dapr stores them: a hash
 * with {@code data} and {@code version}, the version being the ETag. Every write is one Lua script, so
 * the ETag checks and the writes of a transaction are atomic. While Redis is unreachable, calls fail at
 * once (commands are rejected, not queued) and the connection is tried again on the next call.
 */
public final class RedisStateStore implements StateStore {
  /**
   * KEYS: the items. ARGV, five per key: operation (s: set, d: delete), check (any, absent, match),
   * expected version, data, TTL in seconds (> 0 expires, otherwise persists). Returns 0, or the
   * 1-based index of the first item whose check failed.
   */
  private static final String APPLY = """
      for i = 1, #KEYS do
        local b = (i - 1) * 5
        local check = ARGV[b + 2]
        local version = redis.call('HGET', KEYS[i], 'version')
        if check == 'match' and version ~= ARGV[b + 3] then return i end
        if check == 'absent' and version then return i end
      end
      for i = 1, #KEYS do
        local b = (i - 1) * 5
        if ARGV[b + 1] == 'd' then
          redis.call('DEL', KEYS[i])
        else
          redis.call('HINCRBY', KEYS[i], 'version', 1)
          redis.call('HSET', KEYS[i], 'data', ARGV[b + 4])
          local ttl = tonumber(ARGV[b + 5])
          if ttl > 0 then redis.call('EXPIRE', KEYS[i], ttl) else redis.call('PERSIST', KEYS[i]) end
        end
      end
      return 0
      """;
  private static final byte[] DATA = bytes("data");
  private static final byte[] VERSION = bytes("version");
  private static final byte[] EMPTY = new byte[0];

  private final String name;
  private final String address;
  private final RedisClient client;
  private final RedisURI uri;
  private final Duration timeout;
  private final Long defaultTtl;
  private volatile CompletableFuture<StatefulRedisConnection<byte[], byte[]>> connection;
  private volatile boolean closed;

  /** @param defaultTtl seconds for writes that set no TTL, or null */
  public RedisStateStore(String name, ClientResources resources, RedisURI uri, Duration dialTimeout,
      Duration timeout, Long defaultTtl) {
    this.name = name;
    this.address = uri.getHost() + ":" + uri.getPort();
    this.uri = uri;
    this.timeout = timeout;
    this.defaultTtl = defaultTtl;
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .autoReconnect(true)
        .socketOptions(SocketOptions.builder().connectTimeout(dialTimeout).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .build());
  }

  @Override
  public CompletableFuture<StateItem> get(String key) {
    return call(c -> c.async().hmget(bytes(key), DATA, VERSION).toCompletableFuture().thenApply(values -> {
      byte[] data = value(values, 0);
      byte[] version = value(values, 1);
      return data == null ? null : new StateItem(data, version == null ? null : text(version), 0);
    }));
  }

  @Override
  public CompletableFuture<Void> apply(List<StateOperation> operations) {
    byte[][] keys = new byte[operations.size()][];
    List<byte[]> args = new ArrayList<>(operations.size() * 5);
    for (int i = 0; i < operations.size(); i++) {
      StateOperation op = operations.get(i);
      keys[i] = bytes(op.key());
      args.add(bytes(op instanceof StateOperation.Delete ? "d" : "s"));
      String check;
      if (op.concurrency() == Concurrency.LAST_WRITE) {
        check = "any";
      } else if (op.etag() != null) {
        check = "match";
      } else {
        check = op.concurrency() == Concurrency.FIRST_WRITE && op instanceof StateOperation.Upsert ? "absent" : "any";
      }
      args.add(bytes(check));
      args.add(op.etag() == null ? EMPTY : bytes(op.etag()));
      if (op instanceof StateOperation.Upsert u) {
        Long ttl = u.ttlSeconds() == null ? defaultTtl : u.ttlSeconds();
        args.add(u.value());
        args.add(bytes(ttl == null ? "0" : Long.toString(ttl)));
      } else {
        args.add(EMPTY);
        args.add(bytes("0"));
      }
    }
    byte[][] values = args.toArray(new byte[0][]);
    return call(c -> c.async().<Long>eval(APPLY, ScriptOutputType.INTEGER, keys, values).toCompletableFuture()
        .thenApply(failed -> {
          if (failed != null && failed > 0) {
            throw StateFailure.etagMismatch(operations.get((int) (failed - 1)).key());
          }
          return null;
        }));
  }

  private interface Command<T> {
    CompletableFuture<T> on(StatefulRedisConnection<byte[], byte[]> connection);
  }

  private <T> CompletableFuture<T> call(Command<T> command) {
    CompletableFuture<T> result = connection().thenCompose(command::on);
    return result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof StateFailure f) {
        return CompletableFuture.failedFuture(f);
      }
      return CompletableFuture.failedFuture(new StateFailure(StateFailure.Reason.UNAVAILABLE,
          "state store " + name + ": Redis at " + address + " did not answer: " + describe(cause)));
    });
  }

  /** The connection, opened on first use; a failed attempt is forgotten so that the next call tries again. */
  private CompletableFuture<StatefulRedisConnection<byte[], byte[]>> connection() {
    CompletableFuture<StatefulRedisConnection<byte[], byte[]>> current = connection;
    if (current != null && !current.isCompletedExceptionally()) {
      return current;
    }
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new StateFailure(StateFailure.Reason.UNAVAILABLE,
            "state store " + name + " is closed"));
      }
      if (connection == null || connection.isCompletedExceptionally()) {
        connection = client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture();
      }
      return connection;
    }
  }

  private static byte[] value(List<KeyValue<byte[], byte[]>> values, int i) {
    return values.size() > i && values.get(i).hasValue() ? values.get(i).getValue() : null;
  }

  private static String describe(Throwable e) {
    if (e instanceof java.util.concurrent.TimeoutException) {
      return "timed out";
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return m.lines().findFirst().orElse(m);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    CompletableFuture<StatefulRedisConnection<byte[], byte[]>> current;
    synchronized (this) {
      closed = true;
      current = connection;
    }
    if (current != null) {
      current.thenAccept(StatefulRedisConnection::closeAsync);
    }
    client.shutdownAsync(0, 2, TimeUnit.SECONDS);
  }
}
