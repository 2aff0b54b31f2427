package io.meshwork.proxy.dapr;

import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.DurationFormat;
import io.meshwork.model.dapr.Component;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The open state stores of one sidecar, by component name. A store is opened when first used and kept
 * while the snapshot has the same component; a changed or removed component's store is closed.
 */
public final class StateStores implements AutoCloseable {
  private record Open(Resource<Component> component, StateStore store) {}

  private final DaprSettings settings;
  private final String namespace;
  private final LongSupplier clockMillis;
  private final Map<String, Open> open = new ConcurrentHashMap<>();
  private volatile ClientResources redisResources;

  public StateStores(DaprSettings settings, String namespace, LongSupplier clockMillis) {
    this.settings = settings;
    this.namespace = namespace;
    this.clockMillis = clockMillis;
  }

  /** The store of {@code name} in {@code components}, opened if need be; empty when there is none. */
  public Optional<StateStore> find(DaprComponents components, String name) {
    Resource<Component> component = components.stateStores().get(name);
    if (component == null) {
      return Optional.empty();
    }
    Open current = open.get(name);
    if (current != null && current.component().equals(component)) {
      return Optional.of(current.store());
    }
    Open next = open.compute(name, (n, existing) -> {
      if (existing != null && existing.component().equals(component)) {
        return existing;
      }
      if (existing != null) {
        existing.store().close();
      }
      return new Open(component, openStore(component));
    });
    return Optional.of(next.store());
  }

  /** Closes the stores whose component is no longer in {@code components} (or has changed). */
  public void retain(DaprComponents components) {
    open.forEach((name, o) -> {
      if (!o.component().equals(components.stateStores().get(name)) && open.remove(name, o)) {
        o.store().close();
      }
    });
  }

  private StateStore openStore(Resource<Component> r) {
    Component c = r.spec();
    Duration timeout = duration(c, "timeout", Duration.ofSeconds(20));
    return switch (c.type()) {
      case "state.sqlite" -> new SqliteStateStore(r.name(), sqliteFile(r), c.value("tableName").orElse("state"),
          timeout, duration(c, "busyTimeout", Duration.ofSeconds(2)),
          duration(c, "cleanupInterval", Duration.ofHours(1)), clockMillis);
      case "state.redis" -> redis(r);
      default -> throw new IllegalArgumentException("type: " + c.type() + " (expected: a state store type)");
    };
  }

  private StateStore redis(Resource<Component> r) {
    Component c = r.spec();
    Duration timeout = duration(c, "readTimeout", Duration.ofSeconds(3));
    Long ttl = c.value("ttlInSeconds").map(Long::valueOf).orElse(null);
    return new RedisStateStore(r.name(), redisResources(), redisUri(c),
        duration(c, "dialTimeout", Duration.ofSeconds(5)), timeout, ttl);
  }

  /** The server a state.redis or pubsub.redis component names, with its credentials, database and TLS. */
  static RedisURI redisUri(Component c) {
    String hostPort = c.value("redisHost").orElseThrow();
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    Duration timeout = duration(c, "readTimeout", Duration.ofSeconds(3));
    RedisURI.Builder uri = RedisURI.builder().withHost(host).withPort(Integer.parseInt(hostPort.substring(colon + 1)))
        .withDatabase(Integer.parseInt(c.value("redisDB").orElse("0")))
        .withSsl(Boolean.parseBoolean(c.value("enableTLS").orElse("false")))
        .withTimeout(timeout);
    c.value("redisPassword").filter(p -> !p.isEmpty()).ifPresent(password -> c.value("redisUsername")
        .filter(u -> !u.isEmpty())
        .ifPresentOrElse(user -> uri.withAuthentication(user, password), () -> uri.withPassword(password.toCharArray())));
    return uri.build();
  }

  private synchronized ClientResources redisResources() {
    if (redisResources == null) {
      // Redis traffic is small next to the sidecar's own: one I/O thread, one for completions.
      redisResources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
    }
    return redisResources;
  }

  /** The file a sqlite component names, relative to the data folder; its own file there when it names none. */
  Path sqliteFile(Resource<Component> r) {
    String cs = r.spec().value("connectionString").orElse("");
    if (cs.equals(":memory:") || cs.equals("file::memory:")) {
      return null;
    }
    if (cs.startsWith("file:")) {
      cs = cs.substring("file:".length());
    }
    int query = cs.indexOf('?');
    if (query >= 0) {
      cs = cs.substring(0, query);
    }
    Path base = settings.dataDir();
    return cs.isEmpty() ? base.resolve("state-" + namespace + "-" + r.name() + ".db") : base.resolve(cs);
  }

  static Duration duration(Component c, String name, Duration fallback) {
    return c.value(name).flatMap(DurationFormat::parse).orElse(fallback);
  }

  @Override
  public void close() {
    open.values().forEach(o -> o.store().close());
    open.clear();
    ClientResources resources = redisResources;
    if (resources != null) {
      resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
