package io.meshwork.control.ratelimit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Counters in Redis, shared by every control-plane replica that names the same server: a window is one key holding
 * the tokens handed out, created with the window's expiry by its first lease (the store's clock measures every
 * window). The lease is one Lua script, so replicas racing for the last tokens never hand out more than the quota.
 *
 * <p>Calls block the API worker that serves the lease, for at most {@link #COMMAND_TIMEOUT}: well under the
 * sidecar's own deadline, so a stalled Redis answers 503 rather than leaving the sidecar to time out. While Redis is
 * down commands are refused at once (not queued) and the connection is tried again in the background.
 */
public final class RedisCounters implements RateLimitCounters {
    static final Duration COMMAND_TIMEOUT = Duration.ofMillis(150);
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
    private static final String PREFIX = "meshwork:ratelimit:";

    /** KEYS[1] the window; ARGV tokens, quota, window ms. Returns {granted, window ms left}. */
    private static final String LEASE = """
            local used = tonumber(redis.call('GET', KEYS[1]) or '0')
            local want = tonumber(ARGV[1])
            local left = tonumber(ARGV[2]) - used
            local granted = want
            if left < want then granted = left end
            if granted < 0 then granted = 0 end
            if used == 0 and granted > 0 then
              redis.call('SET', KEYS[1], granted, 'PX', ARGV[3])
            elseif granted > 0 then
              redis.call('INCRBY', KEYS[1], granted)
            end
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then ttl = 0 end
            return {granted, ttl}
            """;

    private final RedisClient client;
    private final RedisURI uri;
    private final String where;
    private volatile StatefulRedisConnection<String, String> connection;

    private RedisCounters(RedisClient client, RedisURI uri, String where) {
        this.client = client;
        this.uri = uri;
        this.where = where;
    }

    /**
     * Counters at {@code redis://HOST:PORT}, connecting in the background: a control plane starts while Redis is
     * down, and the sidecars' failure mode covers the time until it is up.
     *
     * @throws IllegalArgumentException when {@code address} is not a redis:// URL with a host and port
     */
    public static RedisCounters of(URI address) {
        if (address == null || !"redis".equals(address.getScheme()) || address.getHost() == null
                || address.getPort() < 1) {
            throw new IllegalArgumentException("rateLimitRedis: " + address + " (expected: redis://HOST:PORT)");
        }
        RedisURI uri = RedisURI.create(address);
        uri.setTimeout(COMMAND_TIMEOUT);
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .autoReconnect(true)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                .build());
        RedisCounters counters = new RedisCounters(client, uri, "redis://" + address.getHost() + ":"
                + address.getPort());
        // Connecting takes longer than a lease may wait: done ahead, so the first lease does not pay for it.
        Thread.ofVirtual().name("meshwork-ratelimit-redis-connect").start(() -> {
            try {
                counters.connection();
            } catch (RuntimeException notYet) {
                // The first lease tries again and reports it.
            }
        });
        return counters;
    }

    @Override
    public Grant take(String key, long tokens, long quota, long windowMillis) {
        try {
            List<Object> out = connection().sync().eval(LEASE, ScriptOutputType.MULTI, new String[] {PREFIX + key},
                    Long.toString(tokens), Long.toString(quota), Long.toString(windowMillis));
            long granted = (Long) out.get(0);
            long ttl = (Long) out.get(1);
            // A key written without expiry by someone else would never open a new window: treat it as a fresh one.
            return new Grant(granted, ttl == 0 && granted > 0 ? windowMillis : ttl);
        } catch (RuntimeException e) {
            throw new CountersUnavailableException("rate-limit counters at " + where + " did not answer ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
        }
    }

    private StatefulRedisConnection<String, String> connection() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (connection == null) {
                connection = client.connect(uri);
            }
            return connection;
        }
    }

    @Override
    public String describe() {
        return "in Redis at " + where;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
