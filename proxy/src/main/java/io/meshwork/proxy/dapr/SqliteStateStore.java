package io.meshwork.proxy.dapr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code state.sqlite}: one table in a SQLite file (Dapr's columns: key, value, is_binary, etag,
 * expiration_time, update_time). JDBC blocks, so every call runs on one thread of the store's own,
 * with a bounded queue: a full queue fails the call ("busy") rather than growing without limit. SQLite
 * serializes writers anyway, and one thread keeps each transaction on one connection.
 */
public final class SqliteStateStore implements StateStore {
  /** Calls waiting for the store's thread beyond this are refused. */
  static final int QUEUE = 1024;

  private final String name;
  private final String url;
  private final Path file;
  private final String table;
  private final Duration timeout;
  private final Duration busyTimeout;
  private final Duration cleanupInterval;
  private final LongSupplier clockMillis;
  private final ThreadPoolExecutor executor;
  /** Touched on the executor's thread only. */
  private Connection connection;
  private long lastCleanup;

  /**
   * @param file the database file, created owner-only when missing; null for an in-memory database
   * @param clockMillis the time, in epoch milliseconds, against which TTLs are set and checked
   */
  public SqliteStateStore(String name, Path file, String table, Duration timeout, Duration busyTimeout,
      Duration cleanupInterval, LongSupplier clockMillis) {
    this.name = name;
    this.file = file;
    this.url = file == null ? "jdbc:sqlite::memory:" : "jdbc:sqlite:" + file;
    this.table = table;
    this.timeout = timeout;
    this.busyTimeout = busyTimeout;
    this.cleanupInterval = cleanupInterval;
    this.clockMillis = clockMillis;
    this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
      Thread t = new Thread(r, "dapr-sqlite-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public CompletableFuture<StateItem> get(String key) {
    return submit(() -> {
      try (PreparedStatement s = connection().prepareStatement(
          "SELECT value, etag, expiration_time FROM " + table + " WHERE key = ?")) {
        s.setQueryTimeout(seconds(timeout));
        s.setString(1, key);
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            return null;
          }
          long expires = rs.getLong(3);
          if (expires != 0 && expires <= clockMillis.getAsLong()) {
            return null;
          }
          return new StateItem(rs.getBytes(1), rs.getString(2), expires);
        }
      }
    });
  }

  @Override
  public CompletableFuture<Void> apply(List<StateOperation> operations) {
    return submit(() -> {
      Connection c = connection();
      long now = clockMillis.getAsLong();
      c.setAutoCommit(false);
      try {
        for (StateOperation op : operations) {
          if (!op.admits(currentEtag(c, op.key(), now))) {
            c.rollback();
            throw StateFailure.etagMismatch(op.key());
          }
          switch (op) {
            case StateOperation.Upsert u -> upsert(c, u, now);
            case StateOperation.Delete d -> delete(c, d.key());
          }
        }
        if (now - lastCleanup >= cleanupInterval.toMillis()) {
          try (PreparedStatement s = c.prepareStatement(
              "DELETE FROM " + table + " WHERE expiration_time != 0 AND expiration_time <= ?")) {
            s.setLong(1, now);
            s.executeUpdate();
          }
          lastCleanup = now;
        }
        c.commit();
        return null;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    });
  }

  private String currentEtag(Connection c, String key, long now) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT etag, expiration_time FROM " + table + " WHERE key = ?")) {
      s.setQueryTimeout(seconds(timeout));
      s.setString(1, key);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        long expires = rs.getLong(2);
        return expires != 0 && expires <= now ? null : rs.getString(1);
      }
    }
  }

  private void upsert(Connection c, StateOperation.Upsert u, long now) throws SQLException {
    long expires = u.ttlSeconds() == null || u.ttlSeconds() < 0 ? 0 : now + u.ttlSeconds() * 1000;
    try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table
        + " (key, value, is_binary, etag, expiration_time, update_time) VALUES (?, ?, 0, ?, ?, ?)"
        + " ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag,"
        + " expiration_time = excluded.expiration_time, update_time = excluded.update_time")) {
      s.setQueryTimeout(seconds(timeout));
      s.setString(1, u.key());
      s.setBytes(2, u.value());
      s.setString(3, UUID.randomUUID().toString());
      s.setLong(4, expires);
      s.setLong(5, now);
      s.executeUpdate();
    }
  }

  private void delete(Connection c, String key) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE key = ?")) {
      s.setQueryTimeout(seconds(timeout));
      s.setString(1, key);
      s.executeUpdate();
    }
  }

  private Connection connection() throws SQLException, IOException {
    if (connection == null) {
      if (file != null) {
        createOwnerOnly(file);
      }
      Connection c = DriverManager.getConnection(url);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout = " + busyTimeout.toMillis());
        s.execute("PRAGMA journal_mode = WAL");
        s.execute("CREATE TABLE IF NOT EXISTS " + table + " (key TEXT NOT NULL PRIMARY KEY, value BLOB NOT NULL,"
            + " is_binary INTEGER NOT NULL, etag TEXT NOT NULL, expiration_time INTEGER NOT NULL,"
            + " update_time INTEGER NOT NULL)");
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      connection = c;
    }
    return connection;
  }

  /** The folder and the file are the owner's alone from the moment they exist. */
  static void createOwnerOnly(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    if (!Files.exists(file)) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
  }

  private interface Call<T> {
    T run() throws Exception;
  }

  private <T> CompletableFuture<T> submit(Call<T> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          result.complete(call.run());
        } catch (StateFailure f) {
          result.completeExceptionally(f);
        } catch (Exception e) {
          dropConnectionAfter(e);
          result.completeExceptionally(new StateFailure(StateFailure.Reason.UNAVAILABLE,
              "state store " + name + ": " + describe(e)));
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new StateFailure(StateFailure.Reason.BUSY,
          "state store " + name + " is busy (" + QUEUE + " calls waiting)"));
    }
    return result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A broken connection is opened again on the next call; a failed statement leaves it as it is. */
  private void dropConnectionAfter(Exception e) {
    if (e instanceof IOException && connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Closing a connection that already failed.
      }
      connection = null;
    }
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }

  private static int seconds(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toSeconds()));
  }

  @Override
  public void close() {
    executor.execute(() -> {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // Closing at shutdown: nothing is left to tell.
        }
        connection = null;
      }
    });
    executor.shutdown();
  }
}
